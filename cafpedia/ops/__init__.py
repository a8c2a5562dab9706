"""Operations: the health check a load balancer asks, and the metrics a monitor scrapes."""
