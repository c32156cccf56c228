// NODE_OPTIONS of the functions that meter log objects (meterLogs, reconcile). The metering
// keeps little alive (rows spill to disk past a bound), but with its defaults V8 lets the
// heap grow far beyond that before it collects: these limits hold a 100 MB log object under
// 128 MiB of memory and 1 GB under 150 MiB. The metering benchmark runs with the same ones.
module.exports = {
  nodeOptions: '--enable-source-maps --max-semi-space-size=2 --max-old-space-size=96',
};
