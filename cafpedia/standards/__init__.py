"""The National Standards, as versioned reference data that tips cite by clause."""
