-- wrk script: POST /v1/courses with a dry-run course (generation runs, nothing is published).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("CF_TOKEN") or "")
wrk.body = '{"title":"Benchmarking basics","language":"en","audiences":["engineers"],' ..
           '"lesson_count":1,"user_id":"bench","dry_run":true}'
