"""What people search for and do not find: each search recorded (after the confidentiality
guard, with no account named), counted by meaning, area and day, for the areas' "What people
need" pages (the gaps domain, which reads `search_demand_days`). Raw events and their daily
salts are kept 90 days at most; the grouped counts two years.

- recording.py: `note_search` (on the search page, microseconds) and `flush` (after the response);
- salts.py: the daily salts and the person hash;
- upkeep.py: `roll_up(days)` into `search_demand_days`, `purge(today)`, and the worker's `upkeep`.
The search page's result links go through `/search/go` (search/routes.py), which marks a
search "opened".
"""
