"""The Register of Experts and the Practice Advice Line: who can advise on what, and when."""
