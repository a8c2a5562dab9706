"""What people search for and do not find: each search recorded (after the confidentiality
guard, with no account named), counted by meaning, area and day, for the areas' "What people
need" pages (the gaps domain). Raw events and their daily salts are kept 90 days at most;
the grouped counts after that."""
