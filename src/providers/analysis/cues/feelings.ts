/*
 * What an end user's words say about how they feel, beyond a general sentiment lexicon. Patterns
 * are matched against a sentence's normal form (see nlp.ts: lower case, contractions expanded
 * — "can't" → "can not", "I've" → "i have" —, chat shorthand spelled out, tokens separated and
 * padded by single spaces). Each list is about a kind of utterance, not about any one conversation.
 */

/** Anger, frustration, contempt: a complaint, whatever else the sentence says. */
export const COMPLAINT = [
  / (unbelievable|ridiculous|absurd|outrageous|unacceptable|pathetic|hopeless|useless|disgusting|disgraceful|shameful|shambles|incompetent|insane|unreal) /,
  / (terrible|awful|horrible|worst|appalling|dreadful|rubbish|garbage|junk|nightmare|disaster|joke|clowns?|scam|scammers|rip - off|rip off|ripoff|daylight robbery|cheated|misled|lied to|stranded|left me|losing (money|patience|business|customers|sleep)|lost patience|let down|letting (us|me) down|stupid|racket|disgusted|in a row|why do i (even|bother)|(2nd|second|3rd|third|4th|fourth|5th|fifth) time (this|in|that|today)) /,
  / (annoyed|annoying|frustrated|frustrating|infuriating|disappointed|disappointing|upset|angry|furious|livid|fuming|devastated|stressful|fed up|gutted|sick of|tired of|had enough) /,
  / not (acceptable|good enough|ok|okay|fair|happy|impressed|amused|pleased|satisfied|great|good) /,
  / (thanks|thank you) for nothing /,
  / (wasted|waste of|going in circles|runaround|run around|the run around|no help at all|not helpful|zero help|no use) /,
  / nobody (cares|told|mentioned|called|did|helps|helped|bothered) /,
  / (never|not|will not|would not|wont) (be )?(buying|shopping|ordering|using|coming|flying|booking|book|buy|order|use|fly|recommend|recommending)( [a-z]+)* again /,
  / never again /,
  / (i will|i am going to|we will|i am|going to) (switch|switching|be switching|leave you|be leaving|be contacting|dispute|report you|cancel everything|canceling everything|be shopping around|shopping around|take my business|be cancelling|be canceling|cancel at renewal|thinking (about|of) (moving|switching|leaving|cancelling|canceling|changing|going elsewhere)|considering (moving|switching|leaving|cancelling|canceling|changing)|be moving (my|our)|move (my|our) (money|salary|account|business)|be looking elsewhere) /,
  / (i am done|we are done|done with (this|you|it|your)|i am out|over it|never (got|received|made|ordered|asked for|had) |i want (it|this|my money|a refund|them)( [a-z]+)* (now|immediately|today)) /,
  / (should not (take|have taken|need|be this|be so)|should (of|have) been (done|sorted|fixed|ready)|that is what (you|they|the [a-z]+|your [a-z]+) (said|told me|say)|passes me on|passed around|pass me around) /,
  / (disputing|filing a complaint|file a complaint|leave a review|bad review|deleting (this|the) app|chargeback|trading standards|ombudsman) /,
  / (speak|talk) to (a|your) (manager|supervisor) /,
  / (what am i supposed to|how hard can it be|are you (kidding|serious)|you (have got|have|got) to be kidding|kidding me|do you have any idea|what a joke|seriously \?) /,
  / (took (you|you guys|you people|them) long enough|about time|only took|after (two|three|four|five|[0-9]+) (hours|days|weeks|months|calls|chats|emails|tries)) /,
  / (not holding my breath|i will believe it when|heard that before|what i was told last time|same (excuse|story|answer)) /,
  / (paid for nothing|money back|so you can not|you can not even|can not even) /,
  / ((i|we) (had|have had) to (chase|ask|call|beg|fight|wait|explain|email|write|phone|ring|complain|notice|catch|prove|threaten|spend|take|go|get|send|check|find out)|had to (chase|ask|call|beg|fight|wait|explain|email)|would it have killed|ruined|my foot|sort out (your|ur) [a-z]+|get your act together|do better|before you send|should not have (had|needed) to|why did (it|this) take|took (ages|forever|weeks|months|so long|this long)|on hold for|hours on hold|come on|really \?|^ *seriously|seriously (\?|!|,)|honestly ,? (this|that|it) is|not good enough|poor service|bad service|terrible service|awful service|worst service|last time i|will not be back|not coming back|taking my business|cancel(l)?ing anyway) /,
  /^ *so much for /,
  / (so|totally|completely|absolutely|literally|still|always|constantly) (broken|buggy|slow|useless|down|failing|crashing) /,
  / (shaking my head|ugh|argh|ffs|what the hell|the hell|the heck|for heaven sake|omg seriously|(why|how|what) on earth) /,
  / (careless|sloppy|shoddy|negligent|amateurish|amateur hour|lazy|exhausting|(pretty|really|very|so|quite|incredibly|extremely) (poor|rude)|(poor|shoddy|sloppy|bad) (quality|service|workmanship|communication|management|job)) /,
  / (will not|would not|never) (be )?(bringing|coming|going|shopping|ordering|booking|using|buying|flying|staying|returning|recommending) ([a-z]+ ){0,3}(back|here|there|with you|again) /,
  / ((this is|that is|what) a con|(your|the) [a-z]+( [a-z]+)? needs? (looking at|sorting out|sorting|fixing|a rethink|a shake - up)|(could|might|going to|about to) lose) /,
  / ((a|what a|such a|complete|total|absolute) (mess|shambles|farce|circus)|harsh|unfair|unreasonable|greedy|i am not (doing|going through|playing|putting up with)) /,
];

/** Milder let-down: sadness or disappointment without anger. */
export const LETDOWN = [
  / (sadly|a shame|a pity|shame|pity|too bad|bummer|unfortunate|not ideal|not great|a bit annoying|bit of a pain|hassle|hoped|expected better|i guess) /,
  /^ *whatever /,
  / (elsewhere|somewhere else) /,
  / can not (pay|log in|login|access|use|order|check out|checkout|sign in|get in|connect|open|find) /,
  / ((was|were|is|are) (meant|supposed) to|(ran|run|running) out of|(so nothing|nothing then|i see \. )|that will have to do|if i must|i suppose|not what i (hoped|wanted|expected|asked)|was hoping|too late|too long|still waiting|still nothing|still no|oh well|not ideal|disappointing|let down|unfortunate|that is a shame|what a shame|could have been (better|worse)|less than ideal|not the answer|not helpful) /,
  / (get|buy|order) it (on|from) amazon /,
];

/** Warmth, relief and delight a lexicon scores low or not at all. */
export const WARMTH = [
  / (holy (crap|cow|moly)|lifesaver|life saver|legend|hero|superstar|a star|a gem|an angel|the best|a champ|genius|rockstar|wizard) /,
  / (made my (day|week|month|year)|saved (me|my|the day|us)|you saved|huge relief|a relief|what a relief|such a relief|relieved|reassuring|thrilled|delighted|yay|woohoo|phew|thank goodness|thank god|oh my god it|over the moon) /,
  / (so|very|really|super|incredibly|extremely) (kind|helpful|quick|fast|patient|sweet|clear|efficient|easy|smooth|lovely|nice) /,
  / (exactly what i needed|above and beyond|extra mile|best [a-z ]*ever|great service|excellent service|amazing service|fantastic service|brilliant service) /,
  / (you have been|you were|you are|that was|this was|that is|it was) (great|lovely|brilliant|amazing|fantastic|wonderful|excellent|awesome|so helpful|very helpful|really helpful|super helpful|a great help|a big help|a huge help|really patient|very patient|so patient|really kind|very kind|so kind|a star) /,
  / (can not wait|looking forward|so excited|really excited|so hyped|stoked|buzzing|you rock|you are a rock ?star) /,
  / (no worries at all|easier than i (feared|thought|expected)|did not expect it to be (that|so) easy|love (it|this|that|you)|love how) /,
  / (sweet|awesome|amazing|brilliant|fantastic|wonderful|perfect|excellent|superb|lovely|great stuff|nice one|nice|cool beans|ace|sick|epic|stellar) (,|!|\.|thanks|thank|cheers|ty|😊|🙏|👍|$) /,
  /^ *(sweet|awesome|amazing|brilliant|fantastic|wonderful|perfect|excellent|superb|lovely|nice|yay|woohoo|wow) /,
  / (much appreciated|really appreciate|truly appreciate|so appreciate|appreciate (it|that|you|this|your help) (so much|a lot|loads)|so grateful|very grateful|really grateful|forever grateful|cannot thank you enough|can not thank you enough) /,
  / (have a (lovely|great|nice|wonderful|good) (day|evening|weekend|one|night)|enjoy your (day|evening|weekend)) /,
];

export const GRATITUDE = / (thanks|thank you|thank u|appreciate|appreciated|grateful|cheers|ta) /;
/** Gratitude said with emphasis reads as warmth, not formula. */
export const EMPHATIC_GRATITUDE = / (i appreciate (you|it|that|your|the)|(thanks|thank you) (so much|so so much|a lot|a ton|heaps|loads|very much|again|for (all|everything|your help|the help|sorting|fixing|being|going|explaining|making|getting))|really appreciate|much appreciated|so grateful|thank you thank you|thanks thanks|many thanks|big thanks|huge thanks|cheers mate) /;
/** Thanks after a refusal or a failure: politeness, not warmth ("thanks anyway"). */
export const CONSOLATION = / (thanks|thank you) (anyway|anyways|for nothing)|(thanks|thank you) for trying ,? but /;

/** Politeness formulae: "ok", "thanks", "got it" acknowledge; alone they carry no feeling. */
export const ACKNOWLEDGEMENT_WORDS = new Set([
  'ok', 'okay', 'alright', 'right', 'fine', 'sure', 'yes', 'yeah', 'no', 'hmm', 'ah', 'oh', 'well', 'understood', 'got', 'it',
  'thanks', 'thank', 'you', 'cheers', 'noted', 'see', 'i', 'will', 'do', 'that', 'is', 'all', 'then', 'so', 'gotcha', 'cool',
  'makes', 'sense', 'clear', 'good', 'to', 'know', 'bye', 'ta', 'mate', 'again', 'for', 'the', 'info', 'information', 'answer',
]);

/**
 * Praise that, said next to a problem, is sarcasm ("Wow, a third outage this week. You guys really
 * are the best."). Only read as sarcasm in a turn that also states a problem (PROBLEM_CONTEXT) or
 * complains; alone it is praise.
 */
export const IRONIC_PRAISE = [
  / (great|brilliant|amazing|fantastic|wonderful|perfect|lovely|marvellous|marvelous|superb|excellent|awesome|cool|nice|splendid|outstanding|terrific|stellar|sweet|impressive|incredible) (,|\.|!|so|job|work|service|stuff|news|engineering|design|system|process|pricing|planning) /,
  / (the famous|the classic|the good old|the legendary) /,
  /^ *(oh )?(great|brilliant|amazing|fantastic|wonderful|perfect|lovely|marvellous|superb|excellent|awesome|cool|nice|splendid|terrific|wow|yay|good) /,
  / (really|truly|so|just|absolutely|totally|very|such) (loving|love|impressed|great|brilliant|amazing|fantastic|wonderful|reassuring|helpful|world - class|world class|top notch|first class|the best|stellar|efficient|professional|consistent|reliable|impressive|personal|classy|generous|kind of you|pays off|paying off|heroic|customer - friendly|customer friendly|user - friendly|helpful) /,
  / (love|loving) (how|that|it when|paying|being|waiting|having|getting|the way) /,
  / (top marks|award|outstanding|ten out of ten|10 \/ 10|five stars|5 stars|gold medal|medal) /,
  / (i will give you that|what a privilege|how generous|so generous|a personal touch|pays off|paying off) /,
  / , (does not|is not|do not|did not|was not|are not|have not|has not) (it|you|they|we|he|she) /,
  / (you guys|you people|you lot|your company|your team) (are|really are|sure are|truly are) /,
  / (applause|take a bow|bravo|well done|keep it up|keep up the good work|gold star|slow clap|round of applause|hats off|chef kiss|kudos|congrats|congratulations|what a service|love that for me|living the dream|going to love this|will love this|love this|loving (it|this|what)|just what i needed|exactly what i needed|so impressed|very impressed|really impressed|so helpful|very helpful|really helpful|very reassuring|so reassuring|enjoy) /,
  / (oh joy|just great|just perfect|just brilliant|just wonderful|what a surprise|big surprise|shocking|colou?r me surprised|who could have guessed|who knew|as usual|typical|cheers for (that|nothing)|much appreciated , really|great job|good job|nice work|well played|thanks for (nothing|the (copy|canned|automated))) /,
  / (^ *(sure|of course) (it is|they are|it did|you did|you are|you will|it will|you do)|yeah right|oh sure|sure thing|of course it is|of course it did|of course|how lovely|how wonderful|how nice|how convenient|thanks a lot|thanks a bunch|thanks so much for|cheers for that|real helpful|very professional|nice piece of fiction|world - class|world class) /,
  / (such|what) an? ([a-z]+ly )?(reliable|great|brilliant|wonderful|fantastic|amazing|lovely|efficient|professional|helpful|modern|smart|slick|generous|caring|seamless|smooth|customer - friendly) /,
  / (brilliantly|wonderfully|impressively|beautifully|amazingly|incredibly|fantastically) [a-z]+ /,
  / (can not wait|looking forward to it|i am touched|so touched|how thoughtful|feel (so |really |very )?valued|valued customer|glad to be (such )?a) /,
  / (🙄|🙃|😒|🤡|👏) /,
];

/** A problem stated as fact: what makes nearby praise ironic. */
export const PROBLEM_CONTEXT = [
  / (again|another|yet another|once more|every (time|month|week|day)) /,
  / (second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|[0-9]+th|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|twenty|thirty) (time|times|outage|outages|chats|calls|emails|weeks|months|days|hours) /,
  / (with no|without (a|my|any|the)|a whole day|day off|half the|after (knocking|waiting|paying|calling|chasing|spending|being|having|asking)) /,
  / (still|not yet|yet again|no longer|finally|never (got|received|arrived|came|made|ordered|asked|had|again)) /,
  / (is|are|was|were|been|has been|have been|went|goes|keeps|kept) (down|broken|offline|late|lost|missing|wrong|failing|crashing|stuck|cancelled|canceled|delayed|overcharged|charged twice) /,
  / (outage|outages|down again|broken|crash|crashes|crashed|failed|fails|failing|error|bug|late|delay|delayed|lost|missing|overcharged|double charged|charged twice|paying double|cold|damaged|wrong|declined|blocked|rejected|refused|locked out|not mine|ran out|run out|meant to|supposed to) /,
  / (has not|have not|did not|does not|do not|can not(?! wait)|could not|will not|is not|are not|was not|were not|nothing|no one|nobody|zero) /,
  / (only|just) (took|took you|took them|took us)? ?(two|three|four|five|six|[0-9]+|a few) (hours|days|weeks|months|calls|tries) /,
  / (after|for) (two|three|four|five|six|[0-9]+|an|a) (hour|hours|day|days|week|weeks|month|months|year|years) /,
  / (since (january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|last))/,
  / (status page|all systems operational|so - called|so called|supposedly|apparently|now noticed|you have now|finally noticed|maybe (update|try|fix|check)|copy - paste|copy paste|canned|a human|real person|a robot|a bot) /,
  /^ *so (i|you|we|my|your|now) /,
  / (stuck|stranded|overnight|losing|lost|miss|missed|wasted|steal|stealing|stole|robbery|charged|broke|hidden|overcharged|nobody|no one|nothing|for nothing|[0-9]+ (emails|chats|calls|times|weeks|months|days|hours|years)) /,
];

/** Genuine relief that makes praise sincere even after a problem ("I take back what I said, that was fast"). */
export const SINCERE_TURN = / ((did not|do not|will not) (lose|miss|have to)|for (fixing|sorting|solving|resolving|getting|helping)|take (it|that|back)|i take back|fair enough|you sorted it|you fixed it|you saved|that was (really |so |very )?(fast|quick)|works now|working now|it works|back in|went through|that did it|all good now) /;

/** Words that shift the weight of a sentence to what follows them ("kind of you, but I'll go elsewhere"). */
export const CONTRAST = / (but|however|though|although|even so|still ,|that said|mind you) /;
