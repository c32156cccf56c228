/**
 * The local usage page: one HTML document with its script, no build and no dependency. It
 * reads `/local/usage.json?period=…` and draws the month: customers' totals (a row clicked
 * shows its daily chart), the untracked share by reason, and the latest log objects with
 * their rejected lines and lag. Every text goes in through textContent, never as markup.
 */
export const USAGE_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>s3-usage-meter: local usage</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; max-width: 72em; }
  h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin-top: 2em; }
  table { border-collapse: collapse; margin-top: .5em; }
  th, td { padding: .25em .7em; border-bottom: 1px solid #ddd; text-align: left; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  tr.customer { cursor: pointer; } tr.customer:hover, tr.selected { background: #eef4ff; }
  .note { color: #666; } svg rect { fill: #3b6fd8; } svg text { font-size: 10px; fill: #666; }
</style>
</head>
<body>
<h1>s3-usage-meter: usage of the local stack</h1>
<form id="choose">
  <label>Month <input type="month" id="period" required></label> <button>Show</button>
  <span class="note" id="status"></span>
</form>
<h2>Customers</h2>
<p class="note">The totals billing reads (<code>usage-meter report --local</code>). Click a customer for its days.</p>
<p id="settlement"></p>
<table id="customers"><thead><tr><th>customer</th></tr></thead><tbody></tbody></table>
<div id="daily" hidden><h2 id="daily-title"></h2><svg id="chart" width="720" height="180"></svg></div>
<h2>Untracked</h2>
<p id="untracked-share"></p>
<table id="untracked"><thead><tr><th>reason</th></tr></thead><tbody></tbody></table>
<h2>Latest log objects</h2>
<p id="rejected"></p>
<table id="log-objects"><thead><tr><th>log object</th><th class="n">lines</th><th class="n">records</th><th class="n">rejected</th><th class="n">lag (s)</th></tr></thead><tbody></tbody></table>
<ul id="samples" class="note"></ul>
<script>
const COUNTERS = ['downloadBytes', 'downloadRequests', 'uploadBytes', 'uploadRequests', 'errorRequests', 'otherRequests'];
const $ = (id) => document.getElementById(id);
const cell = (text, numeric) => {
  const td = document.createElement('td');
  td.textContent = String(text);
  if (numeric) td.className = 'n';
  return td;
};
function header(table, first) {
  const row = table.tHead.rows[0];
  row.replaceChildren(Object.assign(document.createElement('th'), { textContent: first }));
  for (const name of COUNTERS) row.append(Object.assign(document.createElement('th'), { textContent: name, className: 'n' }));
}
let data;
async function show(period) {
  $('status').textContent = 'loading…';
  const response = await fetch('/local/usage.json?period=' + encodeURIComponent(period));
  const body = await response.json();
  if (!response.ok) { $('status').textContent = body.message; return; }
  data = body;
  $('status').textContent = '';
  history.replaceState(null, '', '?period=' + period);
  $('settlement').textContent = data.settlement.status === 'open'
    ? data.period + ' is open: its totals may still grow until ' + data.settlement.settlesAt + ', as S3 delivers logs late.'
    : data.period + ' is settled since ' + data.settlement.settlesAt + ': bill it (later usage is a late adjustment).';
  header($('customers'), 'customer');
  const rows = data.customers.map((c) => {
    const tr = document.createElement('tr');
    tr.className = 'customer';
    tr.dataset.customer = c.customerId;
    tr.append(cell(c.customerId), ...COUNTERS.map((n) => cell(c[n], true)));
    tr.addEventListener('click', () => chart(c.customerId));
    return tr;
  });
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    tr.append(cell('no usage in ' + data.period + ': nothing has been metered for it yet'));
    rows.push(tr);
  }
  $('customers').tBodies[0].replaceChildren(...rows);
  $('daily').hidden = true;

  const bytes = (c) => c.downloadBytes + c.uploadBytes;
  const billed = data.customers.reduce((sum, c) => sum + bytes(c), 0);
  const all = billed + bytes(data.untracked);
  $('untracked-share').textContent = all === 0
    ? 'No bytes metered this month.'
    : (100 * bytes(data.untracked) / all).toFixed(1) + '% of the bytes (' + bytes(data.untracked) + ' of ' + all + ') bill nobody:';
  header($('untracked'), 'reason');
  $('untracked').tBodies[0].replaceChildren(...Object.entries(data.untrackedByReason).map(([reason, c]) => {
    const tr = document.createElement('tr');
    tr.dataset.reason = reason;
    tr.append(cell(reason), ...COUNTERS.map((n) => cell(c[n], true)));
    return tr;
  }));

  const metered = data.logObjects.filter((o) => o.metered);
  const rejected = metered.reduce((sum, o) => sum + o.rejected, 0);
  $('rejected').textContent = rejected + ' rejected lines in the ' + data.logObjects.length + ' latest log objects of the month (rejected lines bill nobody).';
  $('log-objects').tBodies[0].replaceChildren(...data.logObjects.map((o) => {
    const tr = document.createElement('tr');
    tr.append(cell(o.logObject), ...(o.metered
      ? [cell(o.lines, true), cell(o.records, true), cell(o.rejected, true), cell(o.lagSeconds ?? '', true)]
      : [cell('not metered yet')]));
    return tr;
  }));
  $('samples').replaceChildren(...metered.flatMap((o) => o.samples.map((s) => {
    const li = document.createElement('li');
    li.textContent = o.logObject + ' line ' + s.line + ': ' + s.reason;
    return li;
  })));
}
function chart(customerId) {
  for (const tr of document.querySelectorAll('tr.customer')) tr.classList.toggle('selected', tr.dataset.customer === customerId);
  $('daily').hidden = false;
  $('daily-title').textContent = 'Bytes a day: ' + customerId;
  const svg = $('chart');
  const values = data.days.map((d) => d.bytes[customerId] ?? 0);
  const max = Math.max(1, ...values);
  // A month's width whatever day it is, so bars keep their size as the month fills.
  const width = 720 / 31;
  const ns = 'http://www.w3.org/2000/svg';
  svg.replaceChildren(...data.days.flatMap((d, i) => {
    const height = Math.round(150 * values[i] / max);
    const bar = document.createElementNS(ns, 'rect');
    bar.setAttribute('x', String(i * width + 1));
    bar.setAttribute('y', String(160 - height));
    bar.setAttribute('width', String(Math.max(1, width - 2)));
    bar.setAttribute('height', String(height));
    bar.dataset.day = d.day;
    bar.dataset.bytes = String(values[i]);
    const title = document.createElementNS(ns, 'title');
    title.textContent = d.day + ': ' + values[i] + ' bytes';
    bar.append(title);
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', String(i * width + 1));
    label.setAttribute('y', '175');
    label.textContent = d.day.slice(8);
    return [bar, label];
  }));
}
const initial = new URLSearchParams(location.search).get('period') ?? new Date().toISOString().slice(0, 7);
$('period').value = initial;
$('choose').addEventListener('submit', (event) => { event.preventDefault(); show($('period').value); });
show(initial);
</script>
</body>
</html>
`;
