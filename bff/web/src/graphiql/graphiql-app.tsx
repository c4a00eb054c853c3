// Browser entry of the development GraphiQL, bundled by esbuild from the installed packages (no CDN).
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';

// Same origin, with cookies: the web BFF's session cookie must ride along, as it does for the dashboard.
const fetcher: GraphiQLProps['fetcher'] = async (params, options) => {
  const response = await fetch('/graphql', {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...options?.headers },
    body: JSON.stringify(params),
  });
  return response.json();
};

const container = document.getElementById('graphiql');
if (container) createRoot(container).render(<GraphiQL fetcher={fetcher} />);
