"""Published reports in and out: ``importer`` reads a published report (any layout)
into the template; ``export`` writes the published Word report from a workbook."""
