/**
 * A call's recording (GET …/audio, fetched with the key and played from a blob URL, since an
 * <audio src> cannot send a header) with its waveform drawn from the stored energy buckets
 * (Conversation.audioAnalysis): the agent above the line, the visitor below, a playhead across.
 * The browser's own controls do play, pause, seek and speed, with the keyboard too; a click on
 * the waveform seeks.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../../api/conversations';
import { ApiError, voice } from '../../api/client.ts';
import { seconds, type ConversationRef } from '../../api/names.ts';
import { ErrorNotice, Loading } from '../../components/status.tsx';
import { clock } from '../../components/time.tsx';

type Conversation = components['schemas']['Conversation'];


function draw(canvas: HTMLCanvasElement, analysis: Conversation['audioAnalysis'], position: number, duration: number): void {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  if (!g) return;
  // The scheme's colours (styles.css), so the waveform matches the transcript's speaker bars.
  const style = getComputedStyle(canvas);
  const colour = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const agent = analysis?.agentEnergy ?? [];
  const visitor = analysis?.visitorEnergy ?? [];
  const n = Math.max(agent.length, visitor.length);
  const mid = height / 2;
  const peak = Math.max(1e-9, ...agent, ...visitor);
  const bucket = seconds(analysis?.bucketDuration) || (duration / Math.max(1, n));
  const span = Math.max(duration, n * bucket) || 1;
  for (let i = 0; i < n; i++) {
    const x = (i * bucket / span) * width;
    const w = Math.max(1, (bucket / span) * width - 0.5);
    g.fillStyle = colour('--agent', '#1d4ed8');
    g.fillRect(x, mid - ((agent[i] ?? 0) / peak) * (mid - 2), w, ((agent[i] ?? 0) / peak) * (mid - 2));
    g.fillStyle = colour('--visitor', '#b45309');
    g.fillRect(x, mid, w, ((visitor[i] ?? 0) / peak) * (mid - 2));
  }
  g.fillStyle = 'rgba(100, 100, 100, 0.6)';
  g.fillRect(0, mid, width, 1);
  const px = (position / span) * width;
  g.fillStyle = colour('--danger', '#b91c1c');
  g.fillRect(Math.min(width - 2, Math.max(0, px - 1)), 0, 2, height);
}

export function AudioPlayer({ conversation, refs, audioRef, onTime }: {
  conversation: Conversation;
  refs: ConversationRef;
  audioRef: RefObject<HTMLAudioElement | null>;
  onTime: (t: number) => void;
}) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const [position, setPosition] = useState(0);
  const canvas = useRef<HTMLCanvasElement>(null);
  const duration = seconds(conversation.persistedAudioDuration);
  const analysis = conversation.audioAnalysis;

  useEffect(() => {
    const controller = new AbortController();
    let objectUrl: string | null = null;
    voice.GET('/v1/customers/{customer}/profiles/{profile}/conversations/{conversation}/audio', {
      params: { path: refs }, parseAs: 'blob', signal: controller.signal,
    }).then(({ data, response }) => {
      if (response.status === 404) setMissing(true);
      else if (!response.ok || !data) setError(new ApiError(response.status, `the recording answered ${response.status}`));
      else setUrl(objectUrl = URL.createObjectURL(data));
    }, (err: unknown) => controller.signal.aborted || setError(err));
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [refs.profile, refs.conversation, conversation.persistedAudioUri]);

  // The playhead moves every frame while playing; the transcript hears of it at the media's own pace (timeupdate).
  useEffect(() => {
    const el = audioRef.current;
    if (!el) return;
    let frame = 0;
    const tick = () => {
      setPosition(el.currentTime);
      if (!el.paused) frame = requestAnimationFrame(tick);
    };
    const onUpdate = () => {
      setPosition(el.currentTime);
      onTime(el.currentTime);
    };
    const onPlay = () => { cancelAnimationFrame(frame); frame = requestAnimationFrame(tick); };
    el.addEventListener('timeupdate', onUpdate);
    el.addEventListener('seeked', onUpdate);
    el.addEventListener('play', onPlay);
    return () => {
      cancelAnimationFrame(frame);
      el.removeEventListener('timeupdate', onUpdate);
      el.removeEventListener('seeked', onUpdate);
      el.removeEventListener('play', onPlay);
    };
  }, [url]);

  // Painted after every render (the playhead moved) and whenever the canvas changes size.
  const paint = useRef(() => {});
  paint.current = () => {
    if (canvas.current) draw(canvas.current, analysis, position, duration || audioRef.current?.duration || 0);
  };
  useEffect(() => paint.current());
  useEffect(() => {
    const observer = new ResizeObserver(() => paint.current());
    if (canvas.current) observer.observe(canvas.current);
    return () => observer.disconnect();
  }, []);

  const seekTo = (event: MouseEvent) => {
    const el = audioRef.current;
    const target = event.currentTarget as HTMLCanvasElement;
    const total = duration || el?.duration || 0;
    if (!el || !total) return;
    el.currentTime = ((event.clientX - target.getBoundingClientRect().left) / target.clientWidth) * total;
  };

  return (
    <section class="card player" aria-labelledby="recording-title">
      <h2 id="recording-title">Recording</h2>
      {missing ? <p class="empty">This call has no stored recording.</p> : null}
      <ErrorNotice error={error}>The recording could not be loaded</ErrorNotice>
      {!url && !missing && !error ? <Loading what="Loading the recording" /> : null}
      <canvas ref={canvas} class="waveform" onClick={seekTo} role="img"
        aria-label={`Waveform of the call${duration ? `, ${clock(duration)} long` : ''}: the agent's energy above the line, the visitor's below`} />
      <p class="legend" aria-hidden="true"><span class="swatch agent" /> Agent <span class="swatch visitor" /> Visitor</p>
      {url ? (
        <div class="player-controls">
          <audio ref={audioRef} src={url} controls preload="auto" aria-label="Call recording" />
          <span class="position" aria-live="off">{clock(position)}{duration ? ` / ${clock(duration)}` : ''}</span>
        </div>
      ) : null}
    </section>
  );
}
