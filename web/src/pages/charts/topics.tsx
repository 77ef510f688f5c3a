/** The range's most named topics (at most 10, over its analysed conversations) as a list of bars, which is also its text. */
export function TopTopics({ topics, analyzed }: { topics: { topic: string; count: number }[]; analyzed: number }) {
  const most = Math.max(1, ...topics.map((t) => t.count));
  return (
    <section class="card chart" aria-labelledby="topics-title">
      <h2 id="topics-title">Top topics</h2>
      {topics.length === 0 ? <p class="empty">No analysed conversation names a topic in this range.</p> : (
        <>
          <p class="chart-summary">The {topics.length} topics most named by the {analyzed} analysed conversations; {topics[0].topic} leads with {topics[0].count}.</p>
          <table class="list topics">
            <caption class="visually-hidden">Top topics and how many analysed conversations name each</caption>
            <thead><tr><th scope="col">Topic</th><th scope="col">Conversations</th><th scope="col"><span class="visually-hidden">Share</span></th></tr></thead>
            <tbody>
              {topics.map((t) => (
                <tr key={t.topic}>
                  <th scope="row">{t.topic}</th>
                  <td class="number">{t.count}</td>
                  <td class="bar-cell" aria-hidden="true"><span class="bar" style={{ width: `${(t.count / most) * 100}%` }} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
