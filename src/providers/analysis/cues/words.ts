/*
 * How the words of a chat are read before any cue is matched: slang and chat shorthand spelled out,
 * common misspellings of the words cues look for, and the valence of emoji. The tables are about
 * how people type in support chats, not about any one conversation.
 */

/** Chat shorthand, as one token's normal form → what it stands for (lower case, words separated by spaces). */
export const SLANG: ReadonlyMap<string, string> = new Map([
  ['u', 'you'], ['ur', 'your'], ['ya', 'you'], ['yall', 'you all'], ["y'all", 'you all'], ['r', 'are'],
  ['ty', 'thank you'], ['tysm', 'thank you so much'], ['tyvm', 'thank you very much'], ['thx', 'thanks'], ['thnx', 'thanks'],
  ['thanx', 'thanks'], ['tnx', 'thanks'], ['tks', 'thanks'], ['ta', 'thanks'], ['thankyou', 'thank you'], ['thnks', 'thanks'],
  ['pls', 'please'], ['plz', 'please'], ['plox', 'please'], ['pleasee', 'please'],
  ['im', 'i am'], ['ive', 'i have'], ['youre', 'you are'], ['theyre', 'they are'], ['thats', 'that is'],
  ['whats', 'what is'], ['wheres', 'where is'], ['hows', 'how is'], ['theres', 'there is'], ['isnt', 'is not'], ['wasnt', 'was not'],
  ['dont', 'do not'], ['doesnt', 'does not'], ['didnt', 'did not'], ['cant', 'can not'], ['wont', 'will not'], ['couldnt', 'could not'],
  ['wouldnt', 'would not'], ['shouldnt', 'should not'], ['havent', 'have not'], ['hasnt', 'has not'], ['hadnt', 'had not'], ['arent', 'are not'],
  ['werent', 'were not'], ['aint', 'is not'], ['gonna', 'going to'], ['wanna', 'want to'], ['gotta', 'have to'], ['kinda', 'kind of'],
  ['nvm', 'never mind'], ['nm', 'never mind'], ['idk', 'i do not know'], ['idc', 'i do not care'], ['tbh', 'to be honest'],
  ['rn', 'right now'], ['asap', 'as soon as possible'], ['fr', 'for real'], ['ngl', 'not going to lie'], ['imo', 'in my opinion'],
  ['thru', 'through'], ['tho', 'though'], ['cuz', 'because'], ['bc', 'because'], ['coz', 'because'], ['ppl', 'people'],
  ['msg', 'message'], ['pw', 'password'], ['acct', 'account'], ['acc', 'account'], ['b4', 'before'], ['2day', 'today'], ['2moro', 'tomorrow'],
  ['k', 'ok'], ['kk', 'ok'], ['okk', 'ok'], ['okey', 'ok'], ['okie', 'ok'], ['aight', 'alright'], ['ight', 'alright'], ['alr', 'alright'],
  ['yep', 'yes'], ['yup', 'yes'], ['yea', 'yes'], ['ye', 'yes'], ['yeh', 'yes'], ['nope', 'no'], ['nah', 'no'],
  ['omg', 'oh my god'], ['omfg', 'oh my god'], ['wtf', 'what the hell'], ['ffs', 'for heaven sake'], ['smh', 'shaking my head'],
  ['lol', 'lol'], ['lmao', 'lol'], ['rofl', 'lol'], ['haha', 'lol'], ['hahaha', 'lol'], ['jk', 'joking'],
  ['gr8', 'great'], ['luv', 'love'], ['sry', 'sorry'], ['soz', 'sorry'], ['srsly', 'seriously'], ['obv', 'obviously'],
]);

/**
 * "ill" is "I'll" when a verb or adverb follows ("ill just get it on amazon"); alone it is "sick".
 * Checked by the reader with the next token's part of speech.
 */
export const ILL_AS_I_WILL = new Set(['VERB', 'ADV', 'AUX', 'PART']);

/**
 * Words that cues look for, so a misspelling one edit away still finds them ("rediculous",
 * "absolutley", "dissapointed"). Only tokens of five letters or more that wink's lexicon does not know are
 * corrected, and only to these.
 */
export const SPELLED_WORDS = [
  'ridiculous', 'unacceptable', 'absolutely', 'disappointed', 'disappointing', 'frustrated', 'frustrating', 'terrible', 'horrible',
  'awful', 'useless', 'pathetic', 'incompetent', 'embarrassing', 'outrageous', 'unbelievable', 'seriously', 'honestly', 'literally',
  'appreciate', 'appreciated', 'amazing', 'awesome', 'fantastic', 'brilliant', 'wonderful', 'perfect', 'excellent', 'incredible',
  'grateful', 'helpful', 'thanks', 'thank', 'definitely', 'received', 'refunded', 'cancelled', 'canceled', 'working', 'finally',
  'unfreeze', 'unlocked', 'delivered', 'replacement', 'problem', 'annoying', 'annoyed', 'apparently', 'already', 'whatever',
  'lifesaver', 'legendary', 'patience', 'patient', 'service', 'support', 'again', 'waiting', 'forget', 'nevermind', 'impressed',
  'really', 'disgusting', 'beautiful', 'professional', 'patience', 'disappointment', 'definitely', 'separately', 'guarantee',
];

/** Emoji and emoticons by the feeling they add, -1 … 1 ("🙄" is exasperation, "🙏" thanks). */
export const EMOJI_VALENCE: ReadonlyMap<string, number> = new Map([
  ['🙏', 0.6], ['😊', 0.6], ['🙂', 0.3], ['😀', 0.6], ['😃', 0.6], ['😄', 0.6], ['😁', 0.6], ['😆', 0.5], ['🥰', 0.8], ['😍', 0.8],
  ['🥹', 0.7], ['🤩', 0.8], ['😎', 0.4], ['🎉', 0.7], ['🥳', 0.8], ['🙌', 0.7], ['👏', 0.4], ['👍', 0.3], ['👌', 0.3], ['💪', 0.4],
  ['❤', 0.7], ['💙', 0.7], ['💚', 0.7], ['💜', 0.7], ['🧡', 0.7], ['💛', 0.7], ['♥', 0.7], ['💯', 0.5], ['🔥', 0.4], ['✨', 0.4],
  ['😇', 0.5], ['🎂', 0.5], ['💍', 0.5], ['🎁', 0.4], ['🥂', 0.6], ['🍾', 0.6], ['💐', 0.5], ['😅', 0.2], ['🤝', 0.4], ['🤗', 0.7], ['☺', 0.6], ['😌', 0.5], ['🫶', 0.8], ['⭐', 0.5], ['🌟', 0.5], ['✅', 0.3], ['🍀', 0.3], ['🤞', 0.2],
  [':)', 0.4], [':-)', 0.4], [':d', 0.5], ['(:', 0.4], ['<3', 0.7], [';)', 0.3], ['=)', 0.4],
  ['🙄', -0.7], ['🙃', -0.5], ['😡', -0.9], ['🤬', -1], ['😠', -0.8], ['😤', -0.7], ['😒', -0.6], ['😞', -0.6], ['😔', -0.5], ['😢', -0.6],
  ['😭', -0.5], ['😩', -0.7], ['😫', -0.7], ['🤦', -0.6], ['👎', -0.7], ['💩', -0.7], ['😑', -0.5], ['😐', -0.2], ['😕', -0.4],
  ['🙁', -0.5], ['☹', -0.6], ['😖', -0.6], ['😣', -0.6], ['🥲', -0.2], ['😬', -0.3], ['🤡', -0.7], ['💀', -0.2], ['🫠', -0.4],
  [':(', -0.5], [':-(', -0.5], [":'(", -0.6], ['>:(', -0.8], [':/', -0.3], [':-/', -0.3],
]);
