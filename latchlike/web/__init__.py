"""HTTP: thin routes over the services, the upload PUT, pages and the JSON API."""
