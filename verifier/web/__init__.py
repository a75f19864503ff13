"""The public web pages: the intake form a treatment centre links to or embeds."""
