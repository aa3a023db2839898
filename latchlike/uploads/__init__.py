"""Signed upload URLs (DataProxy's CreateUploadLocation) and the PUT that follows them."""
