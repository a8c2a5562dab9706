"""What people need and cannot find, area by area: searches that found nothing (or nothing
anyone opened), advice-line questions no published tip answers, tips voted not useful, tips
past review and tips nobody opens. The lead manager writes a tip for a line, or marks it
"not for CAFpedia"."""
