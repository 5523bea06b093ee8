// Imported first by bench/run.ts: the handler's structured logger writes one JSON line per cluster
// per invoke to stdout; thousands of them would bury the progress. Set before the logger is built.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// The handlers' metrics go out as EMF lines on stdout too; no CloudWatch here to read them.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'us-east-1';
