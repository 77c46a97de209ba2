// A scripted LLM for the browser suites: a real HTTP server on loopback that speaks the
// Anthropic Messages streaming format (`POST /v1/messages`, `text/event-stream`), so the
// backend's agent loop runs unchanged against it. A script decides each answer from the
// request body; every request is recorded.
//
//   const llm = await startScriptedLlm((body, n) => text('Hello') | toolUse(name, input));
//   startBackend({ env: llm.backendEnv })   // PMT_LLM_PROVIDER/MODEL/BASE_URL (demo mode)
import http from 'node:http';

/** A reply that is text only (`end_turn`). */
export function text(t) {
  return { text: t, calls: [] };
}

/** A reply that calls tools (`tool_use`): `calls` = [{ name, input }]. */
export function toolUse(calls, t = '') {
  return { text: t, calls };
}

function sse(event, data) {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function pieces(s, size) {
  const chars = [...s];
  const out = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/** The event stream of one reply, as the Anthropic Messages API streams it. */
export function encodeAnthropic(n, reply) {
  let out = sse('message_start', {
    type: 'message_start',
    message: {
      id: `msg_${n}`, type: 'message', role: 'assistant', content: [], model: 'scripted-model',
      stop_reason: null, usage: { input_tokens: 100, output_tokens: 1 },
    },
  });
  out += sse('ping', { type: 'ping' });
  let index = 0;
  if (reply.text) {
    out += sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const piece of pieces(reply.text, 7)) {
      out += sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    }
    out += sse('content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  reply.calls.forEach((call, i) => {
    out += sse('content_block_start', {
      type: 'content_block_start', index, content_block: { type: 'tool_use', id: `toolu_${n}_${i}`, name: call.name, input: {} },
    });
    for (const piece of pieces(JSON.stringify(call.input ?? {}), 11)) {
      out += sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
    out += sse('content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  });
  out += sse('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: reply.calls.length ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: 42 },
  });
  out += sse('message_stop', { type: 'message_stop' });
  return out;
}

/** The last message of a request body (the user's words or the tool results). */
export function lastMessage(body) {
  const messages = body?.messages ?? [];
  return messages[messages.length - 1] ?? null;
}

/** The text of a message's content (a string, or the text of its blocks). */
export function contentText(message) {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return (message.content ?? []).map((b) => {
    if (b.type === 'text') return b.text;
    if (b.type === 'tool_result') {
      const c = b.content;
      return typeof c === 'string' ? c : JSON.stringify(c);
    }
    return '';
  }).join('\n');
}

/** Whether the last message carries tool results. */
export function isToolResult(message) {
  return Array.isArray(message?.content) && message.content.some((b) => b.type === 'tool_result');
}

/**
 * Starts the server. `script(body, n)` returns the reply to request `n` (1-based).
 * Resolves to { url, requests, backendEnv, close() }.
 */
export async function startScriptedLlm(script) {
  const requests = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      let body = null;
      try { body = JSON.parse(raw); } catch { body = null; }
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.method !== 'POST' || !req.url.endsWith('/v1/messages')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'no such path' } }));
        return;
      }
      let reply;
      try {
        reply = script(body, requests.length);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(e) } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(encodeAnthropic(requests.length, reply));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    backendEnv: {
      PMT_LLM_PROVIDER: 'anthropic',
      PMT_LLM_MODEL: 'scripted-model',
      PMT_LLM_BASE_URL: url,
      ANTHROPIC_API_KEY: 'sk-scripted-e2e-key',
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
