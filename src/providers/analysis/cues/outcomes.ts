/*
 * What the end of a conversation says about whether the user's request was done. Matched against a
 * sentence's normal form like the cues in feelings.ts. The agent's side: an action reported as
 * done, an answer, a refusal, a hand-off, a later follow-up, a question left for the user. The
 * user's side: a confirmation, "still broken", giving up, waiting.
 */

/** Verbs whose past participle, said by the agent, reports a change made ("I've refunded…", "Updated!"). */
export const COMPLETION_VERBS = new Set([
  'refund', 'book', 'update', 'cancel', 'add', 'restore', 'issue', 'apply', 'send', 'schedule', 'activate', 'fix', 'resolve',
  'approve', 'ship', 'change', 'extend', 'upgrade', 'downgrade', 'unblock', 'unlock', 'unfreeze', 'credit', 'generate', 'pause',
  'create', 'enable', 'disable', 'remove', 'email', 'reset', 'arrange', 'process', 'correct', 'replace', 'waive', 'set', 'reactivate',
  'close', 'delete', 'pay', 'move', 'reschedule', 'confirm', 'upload', 'verify', 'port', 'modify', 'adjust', 'renew', 'reinstate',
  'grant', 'lift', 'enrol', 'enroll', 'reserve', 'rebook', 'switch', 'merge', 'release', 'clear', 'restart', 'reissue', 'resend',
  'recalculate', 'link', 'unlink', 'freeze', 'swap', 'assign', 'migrate', 'recover', 'reverse', 'void', 'push', 'rename', 'install',
  'whitelist', 'allowlist', 'register', 'place', 'redeem', 'attach', 'share', 'accept', 'transfer', 'raise', 'increase', 'lower',
  'reduce', 'prepare', 'sign', 'print', 'post', 'mail', 'load', 'top', 'collect', 'refresh', 'sync', 'reconnect', 'repair',
]);
/** Participles wink does not lemmatise to the verb, or irregular ones. */
export const IRREGULAR_PARTICIPLES = new Set([
  'sent', 'done', 'set', 'made', 'paid', 'put', 'given', 'shipped', 'rebooked', 'reset', 'sorted', 'fixed', 'cleared', 'lifted',
  'enrolled', 'upgraded', 'downgraded', 'unfrozen', 'frozen', 'reissued', 'resent', 'reserved', 'unlocked', 'refunded', 'credited',
  'updated', 'cancelled', 'canceled', 'booked', 'moved', 'added', 'removed', 'restored', 'applied', 'waived', 'reversed', 'released',
  'swapped', 'switched', 'renamed', 'processed', 'confirmed', 'activated', 'reactivated', 'changed', 'extended', 'pushed', 'split',
]);
/** "Done!", "Sorted.", "Booked." said alone: the whole sentence reports the action. */
export const BARE_DONE = /^ *(all )?(done|sorted|fixed|booked|updated|cancel(l)?ed|refunded|confirmed|all set|finished|completed|processed|added|changed|sent|removed|unlocked|reset) *(!|\.|,|$)/;
export const COMPLETION_PHRASES = [
  / you are (all set|set|booked|good to go|sorted|in|on the [a-z ]+ (plan|list|tariff) now|covered|confirmed|registered|enrolled|unblocked) /,
  / (is|are) (now )?yours /,
  / (your|the) [a-z]+( [a-z]+)? (is|are) now /,
  / (went|gone|go) through /,
  / (has|have) been (approved|accepted|completed|resolved|fixed|sorted|done|applied|processed|issued|refunded|credited|updated|restored|unlocked) /,
  / (is|are) (now )?(live|active|approved|confirmed|fixed|resolved|unlocked|unblocked|restored|on its way|on the way|in your (inbox|account)|visible|ready (for|to|at|now)) /,
  / (is|are) (now )?(back|working) (now|again|online|up|to normal) /,
  / (confirmed|done|sorted|fixed|all set) (on|from) (our|my) (side|end) /,
  / you (can|should) (now|already) /,
  / (should|will) (now )?(work|load|show|appear|go through) (again|now|fine|normally) /,
  / (it is|that is|this is|all) (done|sorted|fixed|taken care of|sorted out|all set) /,
];
/** A sentence about what happens as a rule, not what was done: "new slots are released each Monday". */
export const HABITUAL = / (each|every|usually|normally|always|typically|generally|often) /;

/** Words that make a completion verb hypothetical or pending rather than done. */
export const NOT_DONE = / (will|can|could|would|should|may|might|must|need to|needs to|have to|has to|going to|once|when|if|after|until|before|please|try|let me|want to|want me|shall) /;

/** The agent cannot do it: refusal, inability, unavailability. */
export const INABILITY = [
  / (i|we) (can not|could not|am not able|are not able|am unable|are unable|do not have a way|have no way|are not allowed|am not allowed|do not offer|do not support|do not have (one|a date|an update|any))/,
  / (unfortunately|i am afraid|i am sorry , but|i am sorry to say|sadly|regrettably|no exceptions|without approval) /,
  / can not be [a-z]+ed /,
  / (is|are|was) not (eligible|possible|allowed|available|covered|refundable|transferable|supported|something we|an option) /,
  / (not eligible|non - refundable|nonrefundable|out of stock|fully booked|sold out|back - ordered|backordered|back ordered|discontinued|not supported|not possible) /,
  / (is|are|has|have) (closed|expired|passed(?! (it|this|that|your|them|on|the|him|her|you))|ended) /,
  / ((all|every) ([a-z]+ ){0,3}(slots?|seats?|rooms?|tables?|tickets?|spaces?|places?|spots?|appointments?) (has|have|are|is) (all )?(gone|taken|booked|full)|(are|is) all (gone|taken|booked up|full)) /,
  / (closed|ended|expired|passed|finished|sold out) (last|on|yesterday|already|earlier) /,
  / no [a-z ]*(slots|seats|openings|availability|appointments|options|rooms|tables|room|date|eta) (left|available|this|yet|at the moment|right now) /,
  / (do|does) not (support|allow|offer|cover|include) /,
  / ((i am|we are|she is|he is|they are) (already )?(fully )?(booked|busy|unavailable|away)( up)? (that|on|for|this|then)|the limit is|a limit of|maximum of|only one|one per (household|customer|person|account|order|family)|only (allow|allowed|permitted)) /,
  / (do|does) not have an? (eta|estimate|estimated|date|update|restock|timeline) /,
  / (not yet|has not (left|shipped|arrived|been)|have not been|still has not|still have not|still not) /,
  / (can not|could not) (find|locate|see|accept|release|override|change|refund|do|reverse|waive|help|fix) /,
  / (there is|there are) (sadly |unfortunately )?no (?!need|charge|cost|fee|problem|issue|rush|extra) /,
  / ((will|would) not be able|not able to|unable to|no longer (available|possible|offered|supported|in stock|sold)|(nothing|not much) (more |else )?(i|we) can (do|offer)|(out of|beyond) (my|our) (hands|control)|not something (we|i) (can|do|offer)|against (our|the) policy|(our|the) policy (does not|is)) /,
  / (we|i) (do not|can not|will not) (ship|deliver|stock|carry|sell|issue|accept|cover|refund|allow|offer|provide|support|waive|extend|reverse|override|change) /,
  / ((i|we) can (only )?offer|the best (i|we) can do|i wish i could|i truly wish|i really wish|wish there were|that is how [a-z ]+ works) /,
];

/** The agent hands the matter to someone else. */
export const HANDOFF = [
  / (transfer|transferring|transferred|put|putting|connect|connecting|pass|passing|passed|forward|forwarding|forwarded|refer|referring|referred|escalate|escalating|escalated|hand|handing|handed|route|routing|routed|assign|assigning) (you|it|this|your [a-z ]+|the [a-z ]+)( over| on| through| across)? (to|through|with) /,
  / (escalat[a-z]*|forwarded|passed [a-z ]+ to|put you through|putting you through|transferring you|transfer you|connect you|connecting you) /,
  / (handled|dealt with|managed|done|decided|reviewed) by (our|the|a) /,
  / (specialist|specialists|level - 2|level 2|second - line|second line|tier 2|a colleague|my colleague|a supervisor|human agent|the [a-z]+ team|our [a-z]+ team|the [a-z]+ department|our [a-z]+ department) /,
  / (you will need to|you would need to|you need to|you have to|please) (contact|call|speak to|reach out to|visit|go to|get in touch with) /,
  / (contact|call) (the manufacturer|your bank|the airline|the hotel|the seller|the carrier|the courier|them directly) /,
  / (suggest|recommend|advise) (contacting|calling|reaching|speaking|visiting|asking|going) /,
];

/** The agent promises a later step by someone: a call back, an e-mail, a review, a decision, a wait. */
export const FOLLOW_UP = [
  / (will|should|shall|is going to|are going to|would) (follow up|contact you|get back|respond|reply|be in touch|review|call you|ring you|reach out|hear back|let you know|email you|text you|message you|update you|send you (a|an) (quote|offer|update|answer|decision|estimate|proposal)|look into|investigate|pick it up|pick this up|assess|decide|come back to you|be able to tell|go through the details) /,
  / (will|should) (call|contact|ring|notify|write to) (you|back) /,
  / (i|we|they|the team|our team|someone|somebody|a colleague|the [a-z]+ team) will (look|check|see|try|reattempt|retry|redeliver|re - deliver|investigate|review|confirm|arrange|organi[sz]e|sort|process|escalate|pass|forward|raise|chase|follow|update|inform|notify|reach|get|come|ring|phone|email|text|write|call|send you|be back) /,
  / (reach out|get in touch|be in contact|follow up|follow - up|keep you (posted|updated|informed)) /,
  / (should|will|would) (receive|get|hear) (back|from|(an?|the|our) (update|reply|response|call|answer|decision|quote|letter|outcome|result|confirmation of the outcome|email (with|about) (the|a|an) (outcome|decision|answer|result))) /,
  / (be in touch|you will hear from|expect (a|an) (call|email|reply|update)|a member of (our|the) [a-z]+ team|get back to you|come back to you) /,
  / (they|he|she|someone|somebody|the team|the engineer|the technician|our team|the [a-z]+ team) will (send|fix|repair|sort|resolve|look at|replace|go through|arrange|book|set up|handle|take care|have|return|come|visit|pick|collect|decide|approve|give) /,
  / (the|our|an?) ([a-z]+ )?(team|crew|engineer|technician|driver|courier|department|office|desk|officer|clinic|branch|store|shop|hotel|airline|insurer|council|school|vet|venue|manager|adviser|advisor|specialist|nurse|doctor|tutor|partner|coordinator|surveyor|inspector|adjuster|promoter|seller|supplier|manufacturer|carrier|landlord|agent)s? will (?!be (there|with you|delivered|back|ready)) /,
  / will follow /,
  / you will (get|receive|hear) (yours|your quote|a quote|an answer|a decision|a reply|a response|an update|an offer|the outcome|the result|back) /,
  / ((has|have|allow|give it|give us) [0-9]+( to [0-9]+| - [0-9]+)? (working |business )?(days|weeks|hours) (to|for)|please allow|with the outcome) /,
  / (which|that|it|this) (will take|can take|could take|may take|usually takes|normally takes|takes up to) /,
  / (reply|write|come back|get back to us|let us know|send (it|them|us)|upload (it|them)) [a-z ]*(when|once) you /,
  / (reviews|decides|assesses|investigates|replies|responds|approves) (it|this|them|your|the|within|in) /,
  / (check back|waiting for (?!you |it |them )|waiting list|wait list|waitlist|(request|reserve|standby|priority|interest) list|still being|being processed|being reviewed|being looked|under review|in review|in the (review )?queue|investigating|are working on it|pending|in progress|awaiting|on hold|standby list) /,
  / (opened|opening|open|raised|raising|raise|logged|logging|created|filed|submitted|submit|lodged|started) (an|a|the) (investigation|review|ticket|case|file|request|report|complaint|query|inquiry|enquiry|trace|claim) /,
  / (i have|we have) ((submitted|filed|raised|logged|lodged|opened) (a|an|the|your) ([a-z]+ )?(ticket|case|claim|request|complaint|report|query|dispute|investigation)|reported|noted (your|the|this) (feedback|comment|comments|suggestion|request|complaint|issue)|added your vote|passed|forwarded|sent (your|the) ([a-z]+ )?(request|claim|case|application|feedback|report|details|complaint)) /,
  / (is|are) (working on|looking into|investigating|aware of) /,
  / ((request|case|ticket|claim|application|complaint|query|file) (is|has been) (logged|raised|open|opened|submitted|filed|registered)|(is|are) (now )?with (the|our) [a-z]+) /,
  / (usually|normally|typically|can) takes? /,
  / (as soon as|once|when|if) (it is|it has|we|they|the|your|it gets|it comes|someone|approved|restocked|available) /,
  / ((moved|pushed|postponed|delayed|rescheduled|planned|scheduled) (to|for) (the )?next|next (sprint|release|update|version|quarter)) /,
  / (i have (asked|told|notified|alerted|messaged|emailed|contacted|chased|reminded|pinged) (the|our|your|them|him|her)|we have (asked|notified|contacted|chased)) /,
  / (scheduled for|booked (a|an|the) (visit|callback|call back|engineer|technician|appointment)|will be (in touch|contacted|reviewed|assessed|investigated|looked at|escalated|processed|decided)) /,
  / (either way|in the meantime|meanwhile|keep you (posted|updated)|fingers crossed|roadmap|feature request|product team) /,
  / (earliest|next available|first available) (visit|appointment|slot|date) /,
];

/** When a change already made takes effect: "the refund will appear in 5 days", "they'll be there in 20 minutes". */
export const ARRIVAL = / (will|should|would|'ll|is going to) (now )?(appear|arrive|show|reach|land|go back|take effect|kick in|be (back|there|active|live|credited|refunded|visible|deleted|erased|removed|paid|delivered|with you|on its way|in your|added|updated|ready|collected|applied)) /;

/** A time frame; with a follow-up it is a wait, with an action done it is when the change lands. */
export const TIME_FRAME = / ((within|up to|in|next|another) ([0-9]+|one|two|three|four|five|seven|ten|a few|a couple of) (to [0-9]+ )?(business |working )?(days|weeks|hours|minutes)|by (monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|end of (the )?(day|week)|next week)) /;

/** Any promise about later ("we will…", "they'll…", "you will receive…"); ARRIVAL tells the ones about a change already made. */
export const FUTURE = / (will|shall|going to|is scheduled|are scheduled|is planned|expect) /;

/** A step left to the user before the task can be done: "you'll need to send proof by post". */
export const USER_STEP = / (you will need to|you would need to|you need to|you have to|you must|you will have to|you would have to|please (send|upload|provide|submit|fill|complete|sign|bring|visit|post|call|contact)|just (reply|send|upload)) /;

/** A question that closes a finished exchange rather than asking for what the task needs. */
export const CLOSING_QUESTION = / (anything else|something else|any other (questions|question|thing)|else i can|else we can|help with today|is that all|does that (help|answer|make sense)|did that (help|answer)|happy with that|was (this|that) helpful|can i help further) /;

/** The user confirms the outcome: "it works", "I'm in", "got the refund". */
export const CONFIRMATION = [
  / (it|that|this|everything|all) (works|worked|is working|did it|did the trick|fixed it|sorted it|went through|came through|is there|is back|is fine now|is showing|shows up|showed up|loads|loaded) /,
  / (i am in|i am back in|got it working|found it|received it|i see it|i can see it|(it|that|everything|internet|wifi|service|connection|power|signal|account|access|money) is back|are gone|all there|it is there|got the [a-z]+|it is working|working again|works again|works now|working now|is syncing|syncing again|is stable|been stable|went through|came through|came out|showed up|arrived|received|there it is|that did it|all good now|looks good now|looks right now) /,
  / (it|they|she|he) (got|received) (it|the) /,
  / (i have got it|i got it|got it now|i have it|have it now|got them|got the email|got the code|got the link) /,
  / (is|it is|its|are|they are) (right|correct|fixed|closed|gone|cancelled|canceled|done|sorted|updated|changed|there|here|live|active|showing|up) (now|already|,|\.|!|good) /,
  / (works|working|worked) (perfectly|fine|great|again|now|like a charm) /,
  / (bars|signal|it|internet|wifi|connection|service|site|app|page|account|everything) (are|is) (up|back|live|running|fine) /,
  /^ *(refunded|received|arrived|unlocked|fixed|sorted|working|delivered|done|cancelled|canceled|closed|booked|updated|changed|got it|in) (\.|!|,) /,
  /^ *(yes|yep|yes ,|ok ,|okay ,)? ?(it|that) (works|worked) /,
];

/** The user gives up or goes elsewhere. */
export const GIVING_UP = [
  / (never mind|nevermind|forget it|forget about it|not worth it|not worth the|not important|does not matter|no matter|do not bother|i give up|not bothering|leave it (for now|there|then)|i will leave it) /,
  / i will (just|simply|rather) /,
  / i will (go|try|use|ask|call|ring|phone|walk|head|pop|drive|visit|email|check|look|buy|get|order|shop|switch|come back|deal|sort|figure)( [a-z]+)? (to |at |with |on |from |in )?(another|a different|someone else|my [a-z]+|the branch|a branch|the store|the shop|amazon|it myself|it out myself|elsewhere|somewhere else|[a-z]+ street|(on )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|later|another day|another time|some other time|next week)) /,
  / (some other time|another time|head out|have to go|got to go|gotta go) /,
  / (elsewhere|somewhere else|another (company|provider|bank|shop|store|airline|seller|supplier|clinic|pharmacy|insurer|day|brand)|come back to (this|it)|when i have (the|my|more|time)) /,
  / (i will|i am going to|i will have to|i will just) ([a-z]+ ){0,4}(in person|myself) /,
  / (going in circles|this is pointless|pointless|no point|whatever) /,
  / (do not worry about it|skip it|i will pass|cancel (the|my) request|not bothered|i will live|i will manage|i will figure it out|forget i asked|not needed anymore|no longer need) /,
];

/** The user reports the problem is still there. */
export const STILL_BROKEN = [
  / still (offline|broken|not|nothing|down|waiting|pending|no|the same|failing|crashing|stuck|getting|shows|showing|says|happening|charged|there) /,
  / (did not|does not|do not|is not|are not|has not|have not) (work|help|change|fix|load|arrive|come|go through|show) /,
  / (same (error|problem|issue|thing|message)|nothing (happened|changed)|no change|no difference|just shows|it just|again the same) /,
];

/** The user will wait for the promised step. */
export const WAITING = / (i will wait|will wait|wait and see|wait to hear|wait for|keep an eye|check again|check back|fingers crossed|hope (it|they|so)|i will look out|look out for|we will see) /;
