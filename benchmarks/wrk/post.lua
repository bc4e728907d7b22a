-- POST one new item per request (the Authorization header comes from the command line).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name": "load test item", "quantity": 7, "note": "created by wrk"}'
