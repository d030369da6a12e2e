"""The hostile and broken workbook corpus (issue #7), generated at test time."""
