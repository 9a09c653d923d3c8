# Written by each test (fkg_e2e.Project.write).
