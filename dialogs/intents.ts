/**
 * A small phrase-based intent matcher for the retail domain, in English, German, French and Spanish. Patterns are
 * matched on lower-cased, accent-folded text. It deliberately misses paraphrases without any key word: two misses
 * in a row lead to the offer of a person (the handoff issue).
 */
import type { Lang } from './language.js';

export type Intent =
  | 'greeting' | 'help' | 'orderStatus' | 'addressChange' | 'paymentProblem' | 'returns' | 'agent' | 'goodbye' | 'cancel'
  | 'dataAccess' | 'dataExport' | 'dataCorrect' | 'dataErase' | 'optOut' | 'none';

/** Fold accents so "où", "dónde" and "Rückgabe" match plain patterns. */
export function fold(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ß/g, 'ss');
}

type Table = Record<Exclude<Intent, 'none'>, Partial<Record<Lang, RegExp[]>>>;

const w = (s: string) => new RegExp(`(?:^|[^\\p{L}])(?:${s})(?:$|[^\\p{L}])`, 'u');

// Order matters: interruptions first, then the more specific service intents, then small talk.
const TABLE: Table = {
  cancel: {
    en: [w('cancel|stop|never ?mind|forget it|quit')], de: [w('abbrechen|abbruch|stopp|vergiss es')],
    fr: [w('annuler|annule|laisse tomber|stop')], es: [w('cancelar|cancela|olvidalo|parar|basta')],
  },
  agent: {
    en: [w('(?:talk|speak|chat) (?:to|with) (?:a |an )?(?:human|person|agent|someone|representative)'), w('(?:human|real person|live agent|agent|representative|operator)')],
    de: [w('(?:mitarbeiter(?:in)?|menschen|person|berater(?:in)?|kundendienst|agent(?:en)?)'), w('mit (?:einem|einer) (?:menschen|person)')],
    fr: [w('(?:conseill(?:er|ere)|humain|agent|une personne|quelqu.un|operat(?:eur|rice))')],
    es: [w('(?:agente|humano|persona real|una persona|asesor(?:a)?|operador(?:a)?)')],
  },
  // Data-subject requests (issue 5). Deliberately miss requests without a key word ("what's on file?"): "help" lists
  // them, and a person can take any request.
  optOut: {
    en: [w("(?:do not|don.?t) (?:sell|share)(?: or (?:sell|share))? my (?:personal )?(?:data|information|info)|opt.?out(?: of (?:the )?(?:sale|sharing|selling))?")],
    de: [w('(?:meine daten|meine informationen) (?:nicht verkaufen|nicht weitergeben)|(?:nicht verkaufen|nicht weitergeben)|widerspruch gegen (?:den )?(?:verkauf|weitergabe)')],
    fr: [w('ne (?:vendez|partagez) pas (?:mes|mon)|ne pas (?:vendre|partager) mes|opposition a la (?:vente|cession)')],
    es: [w('no (?:vendan|vendais|vender|compartan|compartais|compartir) mis (?:datos|informacion)|exclusion voluntaria')],
  },
  dataErase: {
    en: [w('delete (?:everything|all) (?:about|on|of) me|delete me|forget me|erase (?:me|my (?:data|account|personal data))|delete my (?:data|account|personal data|information)|right to be forgotten')],
    de: [w('losch(?:e|en sie|t)? (?:alles uber mich|meine daten|mein konto|mich)|vergiss mich|vergessen sie mich|meine daten loschen|recht auf vergessenwerden')],
    fr: [w('supprime[zr]? (?:tout (?:sur|de) moi|mes donnees|mon compte)|efface[zr]? (?:mes donnees|tout sur moi)|oubliez.moi|droit a l.oubli')],
    es: [w('borra[dr]? (?:todo sobre mi|mis datos|mi cuenta)|elimina[dr]? (?:mis datos|mi cuenta|todo sobre mi)|olvidame|derecho al olvido|suprimir mis datos')],
  },
  dataExport: {
    en: [w('send me (?:all )?my (?:personal )?data|(?:export|download) (?:all )?my (?:personal )?data|(?:a )?copy of (?:all )?my (?:personal )?data|data portability')],
    de: [w('(?:schick|schicken sie|sende|senden sie) mir (?:alle )?meine daten|kopie meiner daten|meine daten (?:exportieren|herunterladen)|datenubertragbarkeit|datenexport')],
    fr: [w('envoye[zr]?.moi (?:toutes )?mes donnees|(?:exporter|telecharger) mes donnees|copie de mes donnees|portabilite')],
    es: [w('(?:enviame|envieme|envienme|mandame|mandeme) (?:todos )?mis datos|(?:exportar|descargar) mis datos|copia de mis datos|portabilidad')],
  },
  dataAccess: {
    en: [w('what (?:data |information |info )?do you (?:know|have|hold|store|keep) (?:about|on) me|what do you know about me|(?:access|see) (?:to )?my (?:personal )?data|which data do you (?:have|hold)')],
    de: [w('was (?:wisst ihr|wissen sie|weisst du|speichert ihr|speichern sie) (?:uber mich|von mir)|welche daten (?:habt ihr|haben sie|speichert ihr|speichern sie)|auskunft uber meine daten|datenauskunft')],
    fr: [w('que savez.vous (?:de|sur) moi|quelles (?:donnees|informations) (?:avez.vous|detenez.vous|conservez.vous)|acces a mes donnees')],
    es: [w('que (?:sabeis|saben|sabe usted) (?:de|sobre) mi|que datos (?:tienen|teneis|guardan)|acceso a mis datos')],
  },
  dataCorrect: {
    en: [w('(?:correct|change|update|fix) my (?:e.?mail(?: address)?|phone(?: number)?|mobile(?: number)?|telephone number|postal address|home address|address on file)')],
    de: [w('(?:e.?mail(?:.adresse)?|telefonnummer|handynummer|postanschrift|anschrift|wohnadresse) (?:andern|aktualisieren|korrigieren|berichtigen)|(?:andere|korrigiere|berichtige) meine (?:e.?mail(?:.adresse)?|telefonnummer|handynummer|anschrift)')],
    fr: [w('(?:changer|modifier|corriger|mettre a jour) mon (?:e.?mail|adresse e.?mail|numero(?: de telephone)?|telephone)|(?:changer|modifier|corriger) mon adresse postale')],
    es: [w('(?:cambiar|modificar|corregir|actualizar) mi (?:correo(?: electronico)?|e.?mail|telefono|numero(?: de telefono)?|domicilio|direccion postal)')],
  },
  orderStatus: {
    en: [w("where(?:'s| is) my (?:order|package|parcel|delivery)"), w('order status|track(?:ing)? (?:my )?(?:order|package|parcel)|status of my order|my order'), w('(?:has|did) my (?:order|package|parcel)')],
    de: [w('wo (?:ist|bleibt) meine (?:bestellung|lieferung|sendung|paket)'), w('bestellstatus|sendungsverfolgung|status meiner bestellung|meine bestellung|mein paket')],
    fr: [w('ou (?:est|en est) ma commande|suivi de (?:ma )?commande|statut de (?:ma )?commande|ma commande|mon colis')],
    es: [w('donde (?:esta|anda) mi pedido|estado de mi pedido|seguimiento (?:de )?(?:mi )?pedido|mi pedido|mi paquete')],
  },
  addressChange: {
    en: [w('(?:change|update|correct|wrong) (?:my |the )?(?:delivery |shipping )?address'), w('deliver to (?:a )?(?:different|another|new) address')],
    de: [w('(?:liefer)?adresse (?:andern|aktualisieren|korrigieren)|(?:andere|neue|falsche) (?:liefer)?adresse|adressanderung')],
    fr: [w("(?:changer|modifier|corriger) (?:mon |l.|mon )?adresse|nouvelle adresse|adresse de livraison")],
    es: [w('(?:cambiar|modificar|corregir|actualizar) (?:mi |la )?direccion|nueva direccion|direccion de (?:envio|entrega)')],
  },
  paymentProblem: {
    en: [w('(?:card|payment|charge|charged|refund)(?: problem| issue| declined| failed| twice)?'), w('(?:declined|double charged|billing)')],
    de: [w('(?:karte|kreditkarte|zahlung|abbuchung|bezahlung|rechnung)(?:sproblem)?|abgelehnt|doppelt abgebucht')],
    fr: [w('(?:carte|paiement|prelevement|debit|facturation)|refuse[e]?|debite deux fois')],
    es: [w('(?:tarjeta|pago|cobro|cargo|facturacion)|rechazad[ao]|cobrado dos veces')],
  },
  returns: {
    en: [w('return(?:s|ing)?|send (?:it|them) back|exchange|refund policy')],
    de: [w('(?:ruckgabe|rucksendung|zurucksenden|zuruckschicken|umtausch|retoure)')],
    fr: [w('(?:retour(?:ner)?|renvoyer|echange(?:r)?|rembourse(?:ment|r))')],
    es: [w('(?:devolucion|devolver|cambio|reembolso)')],
  },
  help: {
    en: [w('help|what can you do|options|menu')], de: [w('hilfe|was kannst du|optionen|menu')],
    fr: [w('aide|que peux.tu faire|options|menu')], es: [w('ayuda|que puedes hacer|opciones|menu')],
  },
  goodbye: {
    en: [w('bye|goodbye|see you|thanks,? that.s all|that.s all')], de: [w('tschuss|auf wiedersehen|ciao|das war.s')],
    fr: [w('au revoir|bonne journee|a bientot|c.est tout')], es: [w('adios|hasta luego|eso es todo|chao')],
  },
  greeting: {
    en: [w('hi|hello|hey|good (?:morning|afternoon|evening)')], de: [w('hallo|guten (?:tag|morgen|abend)|servus|moin|gruss gott')],
    fr: [w('bonjour|salut|bonsoir|coucou')], es: [w('hola|buenos dias|buenas tardes|buenas noches|buenas')],
  },
};

// Specific before general: "change the address of my order" is an address change, "return my order" a return.
const ORDER: Exclude<Intent, 'none'>[] = ['cancel', 'agent', 'optOut', 'dataErase', 'dataExport', 'dataAccess', 'dataCorrect', 'addressChange', 'paymentProblem', 'returns', 'orderStatus', 'help', 'goodbye', 'greeting'];

/** Matches the user's language first, then the others (customers mix languages). */
export function matchIntent(text: string, lang: Lang): Intent {
  const t = fold(text.slice(0, 2000));
  const langs: Lang[] = [lang, ...(['en', 'de', 'fr', 'es'] as Lang[]).filter((l) => l !== lang)];
  for (const l of langs) {
    for (const intent of ORDER) {
      const patterns = TABLE[intent][l];
      if (patterns?.some((p) => p.test(t))) return intent;
    }
  }
  return 'none';
}

// Frustration (handoff issue): a customer who is clearly fed up gets a person rather than another bot answer.
// Deliberately misses mild or polite dissatisfaction ("not quite", "hmm") and sarcasm without a key word.
const FRUSTRATION: Record<Lang, RegExp[]> = {
  en: [w("(?:this is|that's|thats|you are|you're|youre) (?:useless|ridiculous|pointless|stupid|hopeless|a joke)|not helping|not helpful|waste of (?:my )?time|(?:so |really )?(?:frustrated|fed up|annoyed|angry)|stupid bot|useless bot")],
  de: [w('(?:das ist|du bist|sie sind) (?:nutzlos|lacherlich|sinnlos|unverschamt)|hilft (?:mir )?nicht|zeitverschwendung|(?:so |total )?(?:genervt|frustriert|verargert|wutend)|dummer bot|nutzloser bot')],
  fr: [w("(?:c.est|vous etes|tu es) (?:inutile|ridicule|nul|absurde)|ne m.aide pas|perte de temps|(?:tres |vraiment )?(?:frustre[e]?|enerve[e]?|agace[e]?|en colere)|bot (?:inutile|nul)")],
  es: [w('(?:esto es|eres|es usted) (?:inutil|ridiculo|absurdo)|no me ayuda|perdida de tiempo|(?:muy )?(?:frustrad[oa]|harto|harta|enfadad[oa]|molest[oa])|bot inutil')],
};

/** True when the text clearly expresses frustration in any of the four languages (customers mix languages). */
export function isFrustrated(text: string): boolean {
  const t = fold(text.slice(0, 2000));
  return (Object.values(FRUSTRATION) as RegExp[][]).some((patterns) => patterns.some((p) => p.test(t)));
}
