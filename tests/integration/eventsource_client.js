// A real EventSource client (Debian's node-eventsource, W3C compliant) for tests: connects to
// URL (sending AUTHORIZATION, when given, as the Authorization header), prints each message as one JSON line {id, type, subject}, and exits after COUNT
// messages (status 0) or after 60 s (status 1). It reconnects by itself when the stream ends,
// sending Last-Event-ID, as browsers do.
'use strict';
const EventSource = require('eventsource');
const [url, count, authorization] = process.argv.slice(2);
let seen = 0;
const source = new EventSource(url, authorization ? {headers: {Authorization: authorization}} : {});
const types = ['course.generation.started', 'course.generation.completed',
  'course.distribution.requested', 'course.distribution.completed'];
for (const type of types) {
  source.addEventListener(type, (m) => {
    const data = JSON.parse(m.data);
    console.log(JSON.stringify({id: m.lastEventId, type: m.type, subject: data.subject}));
    if (++seen >= Number(count)) {
      source.close();
      process.exit(0);
    }
  });
}
source.onerror = () => console.error('eventsource: connection lost, reconnecting');
setTimeout(() => process.exit(1), 60000);
