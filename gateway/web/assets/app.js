// The dashboard's entry point: it takes the token from the address's
// fragment (where `skyport dashboard` puts it) into sessionStorage, then
// shows the view the path names.
import { showQueue } from './queue.js';
import { showJob } from './job.js';
import { el } from './format.js';

const tokenKey = 'skyport.token';

// takeToken moves #token=... into sessionStorage and out of the address
// bar and the history; it returns the token this tab has, or ''.
function takeToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const t = params.get('token');
  if (t) {
    sessionStorage.setItem(tokenKey, t);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(tokenKey) || '';
}

// status shows the connection's state in the header.
function status(state, text) {
  const s = document.getElementById('status');
  s.dataset.state = state;
  s.textContent = text || state;
}

function main() {
  const root = document.getElementById('main');
  root.replaceChildren();
  const token = takeToken();
  if (!token) {
    status('error', 'no token');
    root.append(el('p', { class: 'notice' },
      'This tab has no access token. Open the address that `skyport dashboard` prints.'));
    return;
  }
  const ctx = { token, status, root };
  const m = /^\/jobs\/(\d+)$/.exec(location.pathname);
  if (m) {
    showJob(ctx, Number(m[1]));
  } else {
    showQueue(ctx);
  }
}

main();
