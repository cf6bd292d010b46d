"""The funder's tertiary report and the regional reports: data from the marts, Jinja2 templates,
WeasyPrint PDFs, the indicators CSV. Nothing here computes a figure the marts do not hold."""
