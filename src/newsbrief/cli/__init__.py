"""The newsbrief command."""
