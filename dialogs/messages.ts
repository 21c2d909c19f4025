/** Everything the bot says, in the four languages. Fixed texts only: no error detail is ever interpolated. */
import type { Lang } from './language.js';

type Catalog = Record<string, Record<Lang, string>>;

export const M = {
  welcome: {
    en: "Hello! I'm the Trustline assistant. I can help with order status, delivery addresses, payment or card problems and returns, or put you through to a person. What can I do for you?",
    de: 'Hallo! Ich bin der Trustline-Assistent. Ich helfe bei Bestellstatus, Lieferadressen, Zahlungs- oder Kartenproblemen und Rücksendungen oder verbinde Sie mit einem Menschen. Was kann ich für Sie tun?',
    fr: "Bonjour ! Je suis l'assistant Trustline. Je peux vous aider pour le suivi de commande, l'adresse de livraison, un problème de paiement ou de carte et les retours, ou vous mettre en relation avec une personne. Que puis-je faire pour vous ?",
    es: '¡Hola! Soy el asistente de Trustline. Puedo ayudarle con el estado de su pedido, la dirección de entrega, problemas de pago o de tarjeta y devoluciones, o ponerle con una persona. ¿En qué puedo ayudarle?',
  },
  greeting: {
    en: 'Hello again! How can I help?', de: 'Hallo! Wie kann ich helfen?', fr: 'Bonjour ! Comment puis-je vous aider ?', es: '¡Hola! ¿En qué puedo ayudarle?',
  },
  help: {
    en: 'You can ask me: "where is my order", "change my delivery address", "my card was declined", "I want to return something", or "talk to a person".',
    de: 'Sie können mich fragen: „Wo ist meine Bestellung“, „Lieferadresse ändern“, „Meine Karte wurde abgelehnt“, „Ich möchte etwas zurücksenden“ oder „mit einem Menschen sprechen“.',
    fr: 'Vous pouvez me demander : « où est ma commande », « changer mon adresse de livraison », « ma carte a été refusée », « je veux retourner un article » ou « parler à un conseiller ».',
    es: 'Puede preguntarme: «dónde está mi pedido», «cambiar mi dirección de entrega», «mi tarjeta fue rechazada», «quiero devolver algo» o «hablar con una persona».',
  },
  needsVerification: {
    en: "For that I need to confirm who you are first, so that nobody else can see or change your account. Identity verification is not switched on in this version yet, so I can't open your account here. I can still help with general questions, returns, or put you through to a person.",
    de: 'Dafür muss ich zuerst bestätigen, wer Sie sind, damit niemand sonst Ihr Konto sehen oder ändern kann. Die Identitätsprüfung ist in dieser Version noch nicht eingeschaltet, daher kann ich Ihr Konto hier nicht öffnen. Bei allgemeinen Fragen und Rücksendungen helfe ich gern, oder ich verbinde Sie mit einem Menschen.',
    fr: "Pour cela, je dois d'abord confirmer votre identité, afin que personne d'autre ne puisse voir ou modifier votre compte. La vérification d'identité n'est pas encore activée dans cette version, je ne peux donc pas ouvrir votre compte ici. Je peux quand même vous aider pour les questions générales, les retours, ou vous passer un conseiller.",
    es: 'Para eso primero necesito confirmar su identidad, para que nadie más pueda ver o cambiar su cuenta. La verificación de identidad aún no está activada en esta versión, así que no puedo abrir su cuenta aquí. Aun así puedo ayudarle con preguntas generales, devoluciones o pasarle con una persona.',
  },
  agentUnavailable: {
    en: "I've noted that you'd like to talk to a person. Live handover isn't available in this version yet; please call us or write to our support address from our website, and we'll take it from there.",
    de: 'Ich habe notiert, dass Sie mit einem Menschen sprechen möchten. Die Übergabe ist in dieser Version noch nicht verfügbar; bitte rufen Sie uns an oder schreiben Sie an die Support-Adresse auf unserer Website.',
    fr: "J'ai noté que vous souhaitez parler à une personne. Le transfert n'est pas encore disponible dans cette version ; appelez-nous ou écrivez à l'adresse du support indiquée sur notre site.",
    es: 'He tomado nota de que desea hablar con una persona. La transferencia aún no está disponible en esta versión; llámenos o escriba a la dirección de soporte de nuestra web.',
  },
  goodbye: {
    en: 'Thank you for contacting us. Goodbye!', de: 'Danke für Ihre Nachricht. Auf Wiedersehen!', fr: 'Merci de nous avoir contactés. Au revoir !', es: 'Gracias por contactarnos. ¡Adiós!',
  },
  cancelled: {
    en: 'Okay, I stopped that. What else can I do for you?', de: 'In Ordnung, abgebrochen. Was kann ich sonst für Sie tun?', fr: "D'accord, j'ai annulé. Que puis-je faire d'autre pour vous ?", es: 'De acuerdo, lo he cancelado. ¿Qué más puedo hacer por usted?',
  },
  notUnderstood: {
    en: "Sorry, I didn't get that. You can type \"help\" to see what I can do.", de: 'Entschuldigung, das habe ich nicht verstanden. Schreiben Sie „Hilfe“, um zu sehen, was ich kann.',
    fr: "Désolé, je n'ai pas compris. Écrivez « aide » pour voir ce que je sais faire.", es: 'Perdone, no lo he entendido. Escriba «ayuda» para ver lo que puedo hacer.',
  },
  notUnderstoodTwice: {
    en: "I'm still not sure what you need. Would you like to talk to a person? Just say \"agent\".", de: 'Ich bin noch unsicher, was Sie brauchen. Möchten Sie mit einem Menschen sprechen? Schreiben Sie einfach „Mitarbeiter“.',
    fr: "Je ne suis toujours pas sûr de ce qu'il vous faut. Voulez-vous parler à un conseiller ? Écrivez simplement « conseiller ».", es: 'Sigo sin saber qué necesita. ¿Quiere hablar con una persona? Escriba «agente».',
  },
  returnsIntro: {
    en: 'Items can be returned within 30 days of delivery if unused. Shall I check whether your item can still be returned?',
    de: 'Artikel können innerhalb von 30 Tagen nach Lieferung unbenutzt zurückgegeben werden. Soll ich prüfen, ob Ihr Artikel noch zurückgegeben werden kann?',
    fr: 'Les articles non utilisés peuvent être retournés dans les 30 jours suivant la livraison. Voulez-vous que je vérifie si votre article peut encore être retourné ?',
    es: 'Los artículos sin usar se pueden devolver en los 30 días siguientes a la entrega. ¿Compruebo si su artículo todavía se puede devolver?',
  },
  returnsReason: {
    en: 'Why would you like to return it?', de: 'Warum möchten Sie den Artikel zurückgeben?', fr: 'Pourquoi souhaitez-vous le retourner ?', es: '¿Por qué desea devolverlo?',
  },
  returnsWhen: {
    en: 'When was it delivered? (for example "last Monday" or "3 May")', de: 'Wann wurde er geliefert? (zum Beispiel „gestern“ oder „3. Mai“)',
    fr: 'Quand a-t-il été livré ? (par exemple « hier » ou « 3 mai »)', es: '¿Cuándo se entregó? (por ejemplo «ayer» o «3 de mayo»)',
  },
  returnsWhenRetry: {
    en: 'Sorry, I need a date that is not in the future, for example "yesterday" or "12 March".', de: 'Ich brauche ein Datum, das nicht in der Zukunft liegt, zum Beispiel „gestern“ oder „12.3.“.',
    fr: "Il me faut une date qui ne soit pas dans le futur, par exemple « hier » ou « 12 mars ».", es: 'Necesito una fecha que no sea futura, por ejemplo «ayer» o «12 de marzo».',
  },
  returnsHowMany: {
    en: 'How many items would you like to return?', de: 'Wie viele Artikel möchten Sie zurückgeben?', fr: "Combien d'articles souhaitez-vous retourner ?", es: '¿Cuántos artículos desea devolver?',
  },
  returnsHowManyRetry: {
    en: 'Please give a number between 1 and 20.', de: 'Bitte nennen Sie eine Zahl zwischen 1 und 20.', fr: 'Indiquez un nombre entre 1 et 20.', es: 'Indique un número entre 1 y 20.',
  },
  returnsUnused: {
    en: 'Are the items unused and in their original packaging?', de: 'Sind die Artikel unbenutzt und originalverpackt?', fr: "Les articles sont-ils inutilisés et dans leur emballage d'origine ?", es: '¿Están los artículos sin usar y en su embalaje original?',
  },
  returnsEligible: {
    en: 'Good news: your {count} item(s) can be returned for another {days} day(s). To open the return on your order I will need to confirm who you are.',
    de: 'Gute Nachricht: Ihre {count} Artikel können noch {days} Tag(e) zurückgegeben werden. Um die Rücksendung zu Ihrer Bestellung anzulegen, muss ich bestätigen, wer Sie sind.',
    fr: "Bonne nouvelle : vos {count} article(s) peuvent encore être retournés pendant {days} jour(s). Pour ouvrir le retour sur votre commande, je devrai confirmer votre identité.",
    es: 'Buenas noticias: sus {count} artículo(s) se pueden devolver durante {days} día(s) más. Para abrir la devolución de su pedido tendré que confirmar su identidad.',
  },
  returnsLate: {
    en: 'I\'m sorry: the 30-day return window for an item delivered on {date} has passed. If the item is faulty, a person can still help: say "agent".',
    de: 'Leider ist die 30-tägige Rückgabefrist für einen am {date} gelieferten Artikel abgelaufen. Ist der Artikel defekt, hilft Ihnen gern ein Mensch: schreiben Sie „Mitarbeiter“.',
    fr: 'Désolé : le délai de retour de 30 jours pour un article livré le {date} est dépassé. Si l\'article est défectueux, un conseiller peut vous aider : écrivez « conseiller ».',
    es: 'Lo siento: el plazo de devolución de 30 días para un artículo entregado el {date} ha vencido. Si el artículo es defectuoso, una persona puede ayudarle: escriba «agente».',
  },
  returnsUsed: {
    en: 'Used items can only be returned if they are faulty. A person can look at that with you: say "agent".',
    de: 'Benutzte Artikel können nur bei einem Defekt zurückgegeben werden. Ein Mensch kann das mit Ihnen prüfen: schreiben Sie „Mitarbeiter“.',
    fr: 'Les articles utilisés ne peuvent être retournés que s\'ils sont défectueux. Un conseiller peut voir cela avec vous : écrivez « conseiller ».',
    es: 'Los artículos usados solo se pueden devolver si son defectuosos. Una persona puede revisarlo con usted: escriba «agente».',
  },
  returnsDeclined: {
    en: 'No problem. Anything else?', de: 'Kein Problem. Sonst noch etwas?', fr: 'Pas de problème. Autre chose ?', es: 'No hay problema. ¿Algo más?',
  },
  yesNoRetry: {
    en: 'Please answer yes or no.', de: 'Bitte antworten Sie mit Ja oder Nein.', fr: 'Répondez par oui ou par non, s\'il vous plaît.', es: 'Responda sí o no, por favor.',
  },
  turnError: {
    en: 'Sorry, something went wrong on our side. Please try again. (reference {ref})', de: 'Entschuldigung, bei uns ist ein Fehler aufgetreten. Bitte versuchen Sie es erneut. (Referenz {ref})',
    fr: 'Désolé, une erreur s\'est produite de notre côté. Veuillez réessayer. (référence {ref})', es: 'Lo sentimos, algo ha fallado por nuestra parte. Inténtelo de nuevo. (referencia {ref})',
  },
  unavailable: {
    en: 'Our service is temporarily unavailable. Nothing you wrote was lost; please try again in a few minutes. (reference {ref})',
    de: 'Unser Dienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es in ein paar Minuten erneut. (Referenz {ref})',
    fr: 'Notre service est temporairement indisponible. Veuillez réessayer dans quelques minutes. (référence {ref})',
    es: 'Nuestro servicio no está disponible temporalmente. Inténtelo de nuevo en unos minutos. (referencia {ref})',
  },
} satisfies Catalog;

export const RETURN_REASONS: Record<Lang, string[]> = {
  en: ['Wrong size', 'Damaged', 'Not as described', 'Changed my mind'],
  de: ['Falsche Größe', 'Beschädigt', 'Nicht wie beschrieben', 'Nicht mehr gewünscht'],
  fr: ['Mauvaise taille', 'Endommagé', 'Non conforme', "J'ai changé d'avis"],
  es: ['Talla incorrecta', 'Dañado', 'No es como se describe', 'He cambiado de opinión'],
};

export type MessageId = keyof typeof M;

/** Fills `{name}` placeholders with values the caller vouches for (counts, dates, references; never user text). */
export function t(id: MessageId, lang: Lang, vars: Record<string, string | number> = {}): string {
  return M[id][lang].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
