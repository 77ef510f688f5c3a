// The sentiment libraries bench/insights-baselines.ts compares with ship no types; these are the parts it calls.
declare module 'vader-sentiment' {
  export const SentimentIntensityAnalyzer: { polarity_scores(text: string): { neg: number; neu: number; pos: number; compound: number } };
}
declare module '@nlpjs/core' {
  export class Container {
    use(plugin: unknown): void;
  }
}
declare module '@nlpjs/lang-en' {
  export const LangEn: unknown;
}
declare module '@nlpjs/sentiment' {
  export class SentimentAnalyzer {
    constructor(settings: { container: unknown });
    process(input: { locale: string; text: string }): Promise<{ sentiment: { score: number; average: number; vote: string } }>;
  }
}
