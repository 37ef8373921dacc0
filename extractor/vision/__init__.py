"""Page images -> ruling lines -> table cells, with orientation and skew fixed first (OpenCV)."""
