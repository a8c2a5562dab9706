"""Areas of practice, each with its lead manager and deputies."""
