/**
 * One chart over time, drawn by uPlot on a canvas, inside a <figure> whose caption says what it
 * shows in words and whose visually hidden table holds every number drawn: the canvas is
 * decoration for screen readers (aria-hidden), the caption and the table are the chart for them.
 * Colours come from the page's CSS variables, so the chart follows the light or dark scheme.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  /** A CSS variable of styles.css (`--accent`). */
  color: string;
  /** One value a bucket; null where there is nothing to measure (a rate of zero conversations). */
  values: (number | null)[];
  /** How a value reads in the table (`3`, `50 % (1 of 2)`); defaults to the number. */
  text?: (value: number | null, bucket: number) => string;
  /** Drawn as bars this share of a bucket wide (a narrower series in front of a wider one), else as a line. */
  bar?: number;
}

interface Props {
  title: string;
  /** The chart in one or two sentences, with its totals. */
  summary: string;
  /** Bucket starts (seconds since the epoch) and how each reads in the table. */
  times: number[];
  labels: string[];
  series: Series[];
  /** `%`: a 0–100 axis. */
  unit?: '%';
}

const HEIGHT = 220;

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

/** Re-renders when the colour scheme changes, so the canvas is redrawn in the new colours. */
function useScheme(): string {
  const query = '(prefers-color-scheme: dark)';
  const [dark, setDark] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const media = matchMedia(query);
    const change = () => setDark(media.matches);
    media.addEventListener('change', change);
    return () => media.removeEventListener('change', change);
  }, []);
  return dark ? 'dark' : 'light';
}

export function TimeChart({ title, summary, times, labels, series, unit }: Props) {
  const id = useId();
  const target = useRef<HTMLDivElement>(null);
  const scheme = useScheme();
  useEffect(() => {
    const el = target.current;
    if (!el) return;
    const text = cssVar('--text');
    const grid = cssVar('--border');
    const pad = times.length > 1 ? (times[1] - times[0]) / 2 : 1800;
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const plot = new uPlot({
      width: Math.max(320, el.clientWidth),
      height: HEIGHT,
      // Half a bucket of room on each side, so the first and last bars are whole.
      scales: { x: { time: true, range: (_u, min, max) => [min - pad, max + pad] }, y: unit === '%' ? { range: [0, 100] } : { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
      axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((t) => (unit === '%' ? `${t}%` : Number.isInteger(t) ? String(t) : '')) }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: cssVar(s.color),
          fill: s.bar ? cssVar(s.color) : undefined,
          width: 2,
          points: { show: !s.bar, size: 6 },
          paths: s.bar ? uPlot.paths.bars!({ size: [s.bar, 48] }) : undefined,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : unit === '%' ? `${v.toFixed(0)}%` : String(v)),
        })),
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    }, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, unit, scheme]);

  return (
    <figure class="card chart" aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`}>
      <figcaption>
        <h2 id={`${id}-title`}>{title}</h2>
        <p id={`${id}-summary`} class="chart-summary">{summary}</p>
      </figcaption>
      <div ref={target} class="chart-plot" aria-hidden="true" />
      <table class="visually-hidden chart-data">
        <caption>{title}: the numbers</caption>
        <thead><tr><th scope="col">Period</th>{series.map((s) => <th key={s.label} scope="col">{s.label}</th>)}</tr></thead>
        <tbody>
          {labels.map((label, i) => (
            <tr key={times[i]}>
              <th scope="row">{label}</th>
              {series.map((s) => <td key={s.label}>{s.text ? s.text(s.values[i], i) : s.values[i] === null ? '—' : String(s.values[i])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
