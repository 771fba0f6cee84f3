// The first script of a page served under strictcsp.Policy: it reports every
// violation of the page's Content Security Policy to the console, where
// package strictcsp recognises it ("\u0001c" and the violation as JSON).
//
// The securitypolicyviolation event arrives a task after the violation, so a
// page that is about to say it is done calls cspWatch.flush() first: it takes
// the reports the browser has already queued (ReportingObserver.takeRecords)
// and reports those whose event has not come yet. Each violation gives one
// event and one report; counting both per place reports each violation once.
(() => {
  const events = new Map();   // key -> violations seen through events
  const reports = new Map();  // key -> violations seen through reports
  const reported = new Map(); // key -> violations written to the console
  const note = (seen, v) => {
    const key = JSON.stringify([v.directive, v.blockedURI, v.sourceFile, v.line, v.column]);
    const n = (seen.get(key) || 0) + 1;
    seen.set(key, n);
    if (n > (reported.get(key) || 0)) {
      reported.set(key, n);
      console.log("\u0001c" + JSON.stringify(v));
    }
  };
  document.addEventListener("securitypolicyviolation", (e) => note(events, {
    directive: e.effectiveDirective || e.violatedDirective, blockedURI: e.blockedURI,
    sourceFile: e.sourceFile, line: e.lineNumber, column: e.columnNumber,
    sample: e.sample, disposition: e.disposition, policy: e.originalPolicy,
  }));
  const fromReports = (list) => {
    for (const r of list) {
      const b = r.body;
      note(reports, {
        directive: b.effectiveDirective, blockedURI: b.blockedURL,
        sourceFile: b.sourceFile || "", line: b.lineNumber || 0, column: b.columnNumber || 0,
        sample: b.sample || "", disposition: b.disposition, policy: b.originalPolicy,
      });
    }
  };
  let observer = null;
  if (typeof ReportingObserver === "function") {
    observer = new ReportingObserver(fromReports, { types: ["csp-violation"], buffered: true });
    observer.observe();
  }
  globalThis.cspWatch = {
    flush() { if (observer) fromReports(observer.takeRecords()); },
  };
})();
