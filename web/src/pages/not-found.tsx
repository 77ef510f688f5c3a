import { Link } from '../components/link.tsx';
import { Page } from '../components/page.tsx';
import type { PageProps } from '../routes.tsx';

export function NotFoundPage(_props: PageProps) {
  return (
    <Page title="Page not found">
      <p>The console has no page at this address. <Link href="/conversations">Go to the conversations</Link>.</p>
    </Page>
  );
}
