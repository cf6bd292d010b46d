"""The funder's tertiary report and the regional reports: data from the marts, Jinja2 templates,
Typst PDFs, the indicators CSV and xlsx. Nothing here computes a figure the marts do not hold."""
