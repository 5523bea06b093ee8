import { renderHtml } from '../../domain/review/render-html';
import { renderJson, reviewSummary } from '../../domain/review/render-json';
import type { Severity } from '../../domain/review/review-model';
import { severityCounts } from '../../domain/review/rights-text';
import type { ReviewDeps } from './review-cluster';
import { runReview } from './run-review';

/** Where the scheduled review keeps its JSON and page (an encrypted bucket of the stack). */
export interface ReportStore {
  put(key: string, body: string, contentType: string): Promise<void>;
}

/** Where the one-line summary goes (the alarm topic). Never given a token: the summary holds counts and names. */
export interface SummaryPublisher {
  publish(subject: string, message: string): Promise<void>;
}

export interface PublishReviewDeps extends ReviewDeps {
  store: ReportStore;
  publisher: SummaryPublisher;
}

export interface PublishedReview {
  summary: string;
  stored: string[];
  findings: Record<Severity, number>;
  notReviewed: string[];
}

/** The scheduled review: every cluster reviewed, JSON and page stored (dated, and as `latest`), the summary published. */
export function publishReview(deps: PublishReviewDeps) {
  const review = runReview(deps);
  return async (request: { cluster?: string } = {}): Promise<PublishedReview> => {
    const reviews = await review(request);
    const stamp = deps.clock.now().toISOString();
    const json = renderJson(reviews);
    const html = renderHtml(reviews, stamp);
    const prefix = `reviews/${stamp.slice(0, 10)}/${stamp}`;
    const objects: [string, string, string][] = [
      [`${prefix}.json`, json, 'application/json'],
      [`${prefix}.html`, html, 'text/html; charset=utf-8'],
      ['latest.json', json, 'application/json'],
      ['latest.html', html, 'text/html; charset=utf-8'],
    ];
    for (const [key, body, type] of objects) await deps.store.put(key, body, type);
    const summary = reviewSummary(reviews);
    await deps.publisher.publish('EKS access review', summary);
    return {
      summary,
      stored: objects.map(([key]) => key),
      findings: severityCounts(reviews.flatMap((r) => r.findings)),
      notReviewed: reviews.filter((r) => r.error).map((r) => r.cluster),
    };
  };
}
