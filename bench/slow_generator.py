#!/usr/bin/env python3
"""A stand-in for a language-model generator (issue 14's benchmark and the worker test): an
external generator program as `generation.command` runs it. Reads the request JSON from stdin,
sleeps SECONDS (default 0.2), then writes a small but valid course content JSON (the shape of
to_json(course_content), domain/course_content.cpp) to stdout. It exits early, without output,
when the worker that started it dies (its parent changes), so a SIGKILLed worker leaves nothing
running behind.

Usage: slow_generator.py [SECONDS]
"""
import json
import os
import sys
import time


def content(req):
    lessons = []
    for i in range(1, int(req.get("lesson_count", 1)) + 1):
        lessons.append({
            "title": "Lesson %d: %s" % (i, req["title"]),
            "objectives": ["Explain part %d" % i, "Apply part %d" % i],
            "duration_minutes": 10,
            "text": "What part %d of %s is about.\n\nHow to use it." % (i, req["title"]),
        })
    return {
        "language": req.get("language", "en"),
        "modules": [{"title": req["title"], "summary": "All of it.", "lessons": lessons}],
        "quiz": [{"question": "Which part comes first?",
                  "options": ["Part 1", "Part 2", "Part 3", "None"],
                  "answer": 0, "explanation": "Part 1 opens the course."}],
        "landing_page": {"headline": req["title"], "value_proposition": "Learn it quickly.",
                         "for_whom": req.get("audiences") or ["Everyone"], "not_for_whom": []},
    }


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
    req = json.load(sys.stdin)
    parent, end = os.getppid(), time.monotonic() + seconds
    while time.monotonic() < end:
        if os.getppid() != parent:
            return 1  # the worker died: nobody reads the answer
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))
    json.dump(content(req), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
