// Calls one action on a deskrun server with the RPCClient of @alicloud/pop-core and prints
// one JSON line: {"ok":true,"body":...} or {"ok":false,"code":...,"status":...,"body":...}.
// Usage: node pop-core-call.js ENDPOINT KEY_ID SECRET ACTION PARAMS_JSON METHOD
'use strict';

const RPCClient = require('@alicloud/pop-core').RPCClient;

async function main() {
  const [endpoint, accessKeyId, accessKeySecret, action, paramsJson, method] =
    process.argv.slice(2);
  const client = new RPCClient({
    accessKeyId,
    accessKeySecret,
    endpoint,
    apiVersion: '2020-09-30',
  });
  const options = { method, timeout: 10000 };
  try {
    const body = await client.request(action, JSON.parse(paramsJson), options);
    console.log(JSON.stringify({ ok: true, body }));
  } catch (err) {
    const status = err.entry && err.entry.response ? err.entry.response.statusCode : null;
    console.log(
      JSON.stringify({ ok: false, code: err.code || String(err), status, body: err.data || null })
    );
  }
}

main();
