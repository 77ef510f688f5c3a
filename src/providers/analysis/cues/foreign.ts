import type { AnalysedLanguage } from '../language.ts';

/*
 * German, French and Spanish cues: the same kinds as feelings.ts and outcomes.ts, matched against a
 * sentence folded to lower case without accents ("geändert" → "geandert", "remboursé" →
 * "rembourse"), words separated and padded by single spaces. Written from how support chats are
 * phrased in each language; they read the plain and the common cases, not every idiom.
 */

export interface ForeignCues {
  /** Sentiment lexicon: words that lean positive or negative on their own. */
  positive: ReadonlySet<string>;
  negative: ReadonlySet<string>;
  /** A negator turns the next three words' lean. */
  negators: ReadonlySet<string>;
  acknowledgement: ReadonlySet<string>;
  gratitude: RegExp;
  emphaticGratitude: RegExp;
  complaint: RegExp;
  warmth: RegExp;
  letdown: RegExp;
  /** Irony, as in feelings.ts: praise said in a turn that states a problem. */
  ironicPraise: RegExp;
  problem: RegExp;
  /** Task completion, as in outcomes.ts. */
  done: RegExp;
  followUp: RegExp;
  handoff: RegExp;
  inability: RegExp;
  userStep: RegExp;
  closing: RegExp;
  confirmation: RegExp;
  givingUp: RegExp;
  stillBroken: RegExp;
  /** Support categories for topics, as in topics.ts. */
  categories: Record<string, readonly string[]>;
}

const words = (list: string) => new Set(list.split(' '));

export const FOREIGN_CUES: Record<Exclude<AnalysedLanguage, 'en'>, ForeignCues> = {
  de: {
    positive: words('super toll perfekt prima klasse wunderbar grossartig genial hervorragend ausgezeichnet schnell freundlich hilfreich zufrieden froh erleichtert gut klasse spitze top lieb nett geklappt funktioniert danke dankbar freue gerne schon'),
    negative: words('schlecht furchtbar schrecklich unverschamt frechheit enttauscht enttauschend argerlich arger katastrophe katastrophal unmoglich lacherlich nervig sauer wutend inakzeptabel miserabel mies schlimm leider problem kaputt falsch verspatet nie niemand nichts warten wartezeit genervt abzocke zumutung unfahig'),
    negators: words('nicht kein keine keinen keiner nie niemals ohne'),
    acknowledgement: words('ok okay gut alles klar verstanden in ordnung ja nein danke mach ich passt alright'),
    gratitude: / (danke|dankeschon|vielen dank|besten dank|herzlichen dank|danke schon|merci) /,
    emphaticGratitude: / (vielen (vielen )?dank|tausend dank|herzlichen dank|danke vielmals|ganz lieben dank|vielen lieben dank|super danke|danke ?!) /,
    complaint: / (frechheit|unverschamt|zumutung|katastrophe|lacherlich|inakzeptabel|nie wieder|abzocke|reicht mir|reicht jetzt|beschwerde|anwalt|kundige|kundigen|wechsle|schon wieder|zum (dritten|vierten|x - ten) mal|seit wochen|unmoglich|enttauscht|sauer|wutend|genervt|argerlich|das darf doch nicht wahr sein|nicht zu fassen) /,
    warmth: / (super|toll|perfekt|wunderbar|grossartig|genial|klasse|spitze|klasse|sehr nett|sehr freundlich|sehr hilfreich|sie sind (ein schatz|die beste|der beste|klasse|super)|retter|erleichtert|freut mich|ich freue mich|einen schonen tag) /,
    letdown: / (schade|leider|na ja|naja|hatte gehofft|dann eben|dann halt) /,
    ironicPraise: / (na toll|toll|super|klasse|wunderbar|grossartig|spitze|bravo|gratuliere|herzlichen gluckwunsch|vielen dank auch|danke auch|echt (toll|super|klasse)|wirklich (toll|super|klasse)) /,
    problem: / (schon wieder|wieder|immer noch|noch immer|seit (tagen|wochen|monaten|[0-9]+)|[0-9]+ (tage|wochen|monate|stunden)|nie|niemand|nichts|kein|keine|kaputt|verspatet|warte|ausgefallen|zum (zweiten|dritten|vierten) mal) /,
    done: / (ich habe|wir haben|ist|wurde|wurden|sind) ([a-z]+ )?(erstattet|storniert|geandert|gebucht|aktualisiert|freigeschaltet|entsperrt|gutgeschrieben|versandt|verschickt|geschickt|zuruckgesetzt|korrigiert|behoben|erledigt|geloscht|gekundigt|umgebucht|hinzugefugt|aktiviert|reserviert|bestatigt|geoffnet|ausgetauscht|verlangert) |^ *(erledigt|gemacht|fertig|done) /,
    followUp: / (wird sich (bei ihnen )?melden|melden uns|melden sich|ruft sie (zuruck|an)|rufen sie (zuruck|an)|zuruckrufen|innerhalb von [0-9]+|in [0-9]+ (werk|arbeits)?tagen|wird gepruft|prufen wir|in bearbeitung|ticket|warteliste|sobald|bescheid geben|per e - mail informieren|benachrichtigen) /,
    handoff: / (weiterleiten|weitergeleitet|verbinde sie|verbinden sie|stelle sie durch|kollegen|fachabteilung|zustandige abteilung|spezialisten) /,
    inability: / (leider|nicht moglich|kann ich nicht|konnen wir nicht|kann nicht|nicht erstattungsfahig|ausverkauft|ausgebucht|abgelaufen|nicht verfugbar|keine moglichkeit|ist nicht vorgesehen) /,
    userStep: / (mussen sie|sie mussten|bitte senden sie|bitte schicken sie|bitte laden sie) /,
    closing: / (sonst noch|noch etwas|weiterhelfen|kann ich sonst) /,
    confirmation: / (es funktioniert|funktioniert (jetzt|wieder)|hat geklappt|klappt (jetzt|wieder)|ist angekommen|habe (es|sie|ihn) (bekommen|erhalten)|ist da|sehe es|bin drin) /,
    givingUp: / (vergessen sie es|egal|lassen wir das|dann eben nicht|woanders|anderswo|anderen anbieter|gebe auf|lohnt sich nicht|vergiss es) /,
    stillBroken: / (immer noch nicht|geht immer noch nicht|funktioniert (immer noch )?nicht|gleiche fehler|noch nichts) /,
    categories: {
      billing: ['rechnung', 'abbuchung', 'erstattung', 'zahlung', 'gebuhr', 'preis', 'abo', 'tarif', 'gutschrift', 'lastschrift'],
      shipping: ['paket', 'lieferung', 'bestellung', 'sendung', 'versand', 'zustellung', 'kurier'],
      'account access': ['passwort', 'konto', 'anmeldung', 'login', 'einloggen', 'gesperrt', 'zugang'],
      'technical problem': ['fehler', 'app', 'router', 'internet', 'wlan', 'absturz', 'update', 'drucker', 'laptop'],
      travel: ['flug', 'hotel', 'buchung', 'zug', 'gepack', 'koffer', 'sitzplatz', 'reise'],
      'returns and exchanges': ['rucksendung', 'umtausch', 'ersatz', 'garantie', 'reparatur', 'defekt', 'kaputt'],
      cancellation: ['kundigung', 'kundigen', 'stornieren', 'stornierung', 'storniert'],
    },
  },
  fr: {
    positive: words('super genial parfait merci excellent formidable top rapide gentil aimable sympa efficace ravi ravie content contente soulage soulagee merveilleux impeccable nickel bravo chouette magnifique agreable'),
    negative: words('nul nulle horrible inadmissible inacceptable scandaleux honteux decu decue decevant enerve enervee furieux furieuse ridicule lamentable catastrophe probleme malheureusement retard casse perdu jamais personne rien attente arnaque incompetent penible'),
    negators: words('ne pas jamais rien personne aucun aucune sans plus'),
    acknowledgement: words('ok okay d accord daccord oui non merci bien compris entendu tres vu note ca marche'),
    gratitude: / (merci|je vous remercie|remerciements) /,
    emphaticGratitude: / (merci (beaucoup|mille fois|infiniment|enormement|encore|pour tout)|mille mercis|un grand merci|merci ?!) /,
    complaint: / (inadmissible|inacceptable|scandaleux|honteux|lamentable|ridicule|arnaque|n importe quoi|c est une blague|plus jamais|jamais plus|porter plainte|reclamation|resilier|je resilie|changer d operateur|encore une fois|pour la (troisieme|quatrieme) fois|depuis des semaines|decu|decue|furieux|furieuse|enerve|enervee|marre|ras le bol|incompetent) /,
    warmth: / (super|genial|parfait|excellent|formidable|merveilleux|impeccable|nickel|vous etes (un ange|genial|geniale|top|formidable)|tres (gentil|gentille|aimable|efficace|rapide)|soulage|soulagee|ravi|ravie|bonne journee|bonne soiree|sauve la vie) /,
    letdown: / (dommage|tant pis|malheureusement|j esperais|bon ben|tant pis) /,
    ironicPraise: / (super|genial|bravo|merveilleux|formidable|chapeau|felicitations|merci beaucoup|merci bien|vraiment (top|genial|super|formidable)|quel (service|professionnalisme)|trop fort) /,
    problem: / (encore|toujours|depuis (des|[0-9]+)|[0-9]+ (jours|semaines|mois|heures)|jamais|personne|rien|aucun|aucune|casse|en retard|retard|j attends|en panne|pour la (deuxieme|troisieme|quatrieme) fois) /,
    done: / (j ai|nous avons|a ete|ont ete|est|sont) ([a-z]+ )?(rembourse|remboursee|annule|annulee|modifie|modifiee|reserve|reservee|mis a jour|debloque|debloquee|credite|envoye|envoyee|reinitialise|corrige|corrigee|resolu|regle|supprime|resilie|ajoute|ajoutee|active|activee|confirme|confirmee|change|changee|prolonge) |^ *(c est fait|voila|c est bon|c est regle) /,
    followUp: / (vous rappellera|vous recontactera|vous contactera|nous vous contacterons|reviendra vers vous|reviendrons vers vous|sous [0-9]+|dans les [0-9]+|dans [0-9]+ jours|en cours de traitement|en cours d examen|ticket|liste d attente|des que|vous tiendrons informe|vous informerons|enquete) /,
    handoff: / (transferer|transfere|je vous mets en relation|je vous passe|service competent|collegue|specialiste|service (technique|client|facturation)) /,
    inability: / (malheureusement|pas possible|impossible|je ne peux pas|nous ne pouvons pas|ne peut pas|non remboursable|epuise|en rupture|complet|expire|pas disponible|aucune possibilite) /,
    userStep: / (vous devez|il faut que vous|il vous faudra|veuillez (envoyer|nous envoyer|telecharger|fournir)) /,
    closing: / (autre chose|puis - je vous aider|autre question) /,
    confirmation: / (ca marche|ca fonctionne|fonctionne (maintenant|a nouveau)|c est bon|je l ai (recu|recue)|bien recu|est arrive|est arrivee|je le vois|je suis connecte) /,
    givingUp: / (laissez tomber|laisse tomber|tant pis|ailleurs|autre fournisseur|autre operateur|j abandonne|ca ne vaut pas|oubliez|oublie) /,
    stillBroken: / (toujours pas|ne marche toujours pas|ne fonctionne (toujours )?pas|meme erreur|toujours rien) /,
    categories: {
      billing: ['facture', 'prelevement', 'remboursement', 'paiement', 'frais', 'prix', 'abonnement', 'forfait', 'avoir'],
      shipping: ['colis', 'livraison', 'commande', 'envoi', 'expedition', 'livreur', 'suivi'],
      'account access': ['mot', 'passe', 'compte', 'connexion', 'identifiant', 'bloque'],
      'technical problem': ['erreur', 'application', 'appli', 'box', 'internet', 'wifi', 'panne', 'bug', 'imprimante'],
      travel: ['vol', 'hotel', 'reservation', 'train', 'bagage', 'valise', 'siege', 'voyage'],
      'returns and exchanges': ['retour', 'echange', 'remplacement', 'garantie', 'reparation', 'casse', 'defectueux'],
      cancellation: ['annulation', 'annuler', 'resiliation', 'resilier'],
    },
  },
  es: {
    positive: words('genial perfecto gracias excelente estupendo fantastico rapido amable simpatico eficaz contento contenta aliviado aliviada maravilloso increible buenisimo bien encantado encantada guay'),
    negative: words('mal horrible inaceptable vergonzoso verguenza decepcionado decepcionada decepcionante enfadado enfadada furioso furiosa ridiculo lamentable desastre problema lamentablemente retraso roto perdido nunca nadie nada espera estafa incompetente harto harta fatal pesimo'),
    negators: words('no nunca nada nadie ningun ninguna sin jamas'),
    acknowledgement: words('ok vale de acuerdo si no gracias bien entendido perfecto claro listo'),
    gratitude: / (gracias|se lo agradezco|le agradezco|agradecido|agradecida) /,
    emphaticGratitude: / (muchas gracias|muchisimas gracias|mil gracias|gracias de verdad|un millon de gracias|infinitas gracias|gracias por todo|gracias ?!) /,
    complaint: / (inaceptable|vergonzoso|verguenza|lamentable|ridiculo|estafa|una broma|nunca mas|reclamacion|poner una queja|me doy de baja|cambiar de compania|otra vez|por (tercera|cuarta) vez|desde hace semanas|decepcionado|decepcionada|harto|harta|furioso|furiosa|enfadado|enfadada|pesimo|fatal) /,
    warmth: / (genial|perfecto|excelente|estupendo|fantastico|maravilloso|increible|buenisimo|eres (un sol|un crack|lo mejor)|es usted (muy amable|un sol)|muy (amable|rapido|eficiente|atento|atenta)|aliviado|aliviada|encantado|encantada|que tenga buen dia|buen dia) /,
    letdown: / (que pena|lastima|una pena|lamentablemente|esperaba|bueno pues) /,
    ironicPraise: / (genial|estupendo|maravilloso|bravo|enhorabuena|fenomenal|muchas gracias|que bien|de maravilla|increible servicio|que servicio|que profesionales) /,
    problem: / (otra vez|de nuevo|todavia|aun|desde hace|[0-9]+ (dias|semanas|meses|horas)|nunca|nadie|nada|ningun|ninguna|roto|rota|retraso|esperando|sin (luz|internet|servicio)|por (segunda|tercera|cuarta) vez) /,
    done: / (he|hemos|ha sido|han sido|esta|estan|queda|quedo) ([a-z]+ )?(reembolsado|reembolsada|cancelado|cancelada|cambiado|cambiada|reservado|reservada|actualizado|actualizada|desbloqueado|desbloqueada|abonado|enviado|enviada|restablecido|corregido|corregida|resuelto|solucionado|eliminado|anadido|anadida|activado|activada|confirmado|confirmada|modificado|modificada) |^ *(hecho|listo|ya esta) /,
    followUp: / (le llamara|le llamaremos|le contactara|le contactaremos|nos pondremos en contacto|se pondra en contacto|le escribiremos|en [0-9]+ dias|en un plazo de|en las proximas|en proceso|en revision|ticket|lista de espera|en cuanto|le avisaremos|le informaremos|investigando) /,
    handoff: / (transferir|transfiero|le paso con|le comunico con|le pongo con|departamento|companero|companera|especialista) /,
    inability: / (lamentablemente|no es posible|imposible|no puedo|no podemos|no se puede|no reembolsable|agotado|agotada|completo|caducado|no disponible|no hay (plazas|disponibilidad|citas)) /,
    userStep: / (tiene que|tendra que|debe (enviar|subir|presentar)|por favor (envie|envienos|suba|adjunte)) /,
    closing: / (algo mas|otra cosa|alguna otra|puedo ayudarle en algo) /,
    confirmation: / (ya funciona|funciona (ya|ahora|de nuevo)|ha llegado|ya llego|lo he recibido|ya lo tengo|ya lo veo|ya puedo entrar|todo bien) /,
    givingUp: / (olvidelo|olvidalo|da igual|dejalo|dejelo|en otro sitio|en otra tienda|otra compania|me rindo|no vale la pena) /,
    stillBroken: / (sigue sin|todavia no|aun no|sigue (igual|fallando)|no funciona|mismo error) /,
    categories: {
      billing: ['factura', 'cargo', 'reembolso', 'pago', 'cobro', 'precio', 'suscripcion', 'tarifa', 'abono'],
      shipping: ['paquete', 'envio', 'pedido', 'entrega', 'repartidor', 'seguimiento', 'mensajero'],
      'account access': ['contrasena', 'cuenta', 'acceso', 'sesion', 'usuario', 'bloqueada', 'bloqueado'],
      'technical problem': ['error', 'aplicacion', 'app', 'router', 'internet', 'wifi', 'averia', 'fallo', 'impresora'],
      travel: ['vuelo', 'hotel', 'reserva', 'tren', 'equipaje', 'maleta', 'asiento', 'viaje'],
      'returns and exchanges': ['devolucion', 'cambio', 'sustitucion', 'garantia', 'reparacion', 'roto', 'defectuoso'],
      cancellation: ['cancelacion', 'cancelar', 'baja'],
    },
  },
};
