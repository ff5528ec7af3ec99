"""Official documents (decree 30/2020/NĐ-CP layout) rendered to PDF by WeasyPrint.

Each kind of document is a module in `kinds/` that registers a builder: it turns the database into the
plain data the document prints. The same data feeds the template and the digest printed in the
verification code, so a printed PDF can later be checked against the current data.
"""
