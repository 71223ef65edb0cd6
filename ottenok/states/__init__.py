"""The machines' declarations as data: states, triggers, guards and actions by name."""
