// The verify page's script (web/site/verify.js): placeholder.
