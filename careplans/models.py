# Models arrive with their own issue; see ../shared/DESIGN.md (careplans).
