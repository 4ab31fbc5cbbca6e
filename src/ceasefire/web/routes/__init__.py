"""Page routers, one module per area of the site; `ceasefire.web.mount` includes them."""
