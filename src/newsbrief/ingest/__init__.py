"""Input: paths, standard input, URLs and bytes become an Article, or one InputError."""
