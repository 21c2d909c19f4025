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
    en: 'For that I need to confirm who you are first, so that nobody else can see or change your account.',
    de: 'Dafür muss ich zuerst bestätigen, wer Sie sind, damit niemand sonst Ihr Konto sehen oder ändern kann.',
    fr: "Pour cela, je dois d'abord confirmer votre identité, afin que personne d'autre ne puisse voir ou modifier votre compte.",
    es: 'Para eso primero necesito confirmar su identidad, para que nadie más pueda ver o cambiar su cuenta.',
  },
  needsFreshVerification: {
    en: 'For that I need to confirm again that it is you: this request needs a recent or stronger verification.',
    de: 'Dafür muss ich noch einmal bestätigen, dass Sie es sind: diese Anfrage braucht eine frische oder stärkere Bestätigung.',
    fr: "Pour cela, je dois confirmer à nouveau que c'est bien vous : cette demande exige une vérification récente ou plus forte.",
    es: 'Para eso necesito confirmar de nuevo que es usted: esta solicitud requiere una verificación reciente o más fuerte.',
  },
  verifyAskIdentifier: {
    en: "Please type the email address, the phone number (with country code, e.g. +44...) or the customer number of your account. I'll send a one-time code to the contact details we already have on file, never to new ones typed here.",
    de: 'Bitte schreiben Sie die E-Mail-Adresse, die Telefonnummer (mit Ländervorwahl, z. B. +49...) oder die Kundennummer Ihres Kontos. Ich sende einen Einmalcode an die bei uns hinterlegten Kontaktdaten, nie an hier eingegebene neue.',
    fr: "Indiquez l'adresse e-mail, le numéro de téléphone (avec l'indicatif, p. ex. +33...) ou le numéro client de votre compte. J'enverrai un code à usage unique aux coordonnées déjà enregistrées, jamais à de nouvelles saisies ici.",
    es: 'Escriba el correo electrónico, el teléfono (con prefijo internacional, p. ej. +34...) o el número de cliente de su cuenta. Enviaré un código de un solo uso a los datos de contacto que ya tenemos registrados, nunca a otros escritos aquí.',
  },
  verifyIdentifierRetry: {
    en: 'That does not look like an email address, a phone number with country code or a customer number (like C100001). Please try again, or say "cancel".',
    de: 'Das sieht nicht nach einer E-Mail-Adresse, einer Telefonnummer mit Ländervorwahl oder einer Kundennummer (wie C100001) aus. Bitte versuchen Sie es noch einmal oder schreiben Sie „abbrechen“.',
    fr: "Cela ne ressemble pas à une adresse e-mail, à un numéro de téléphone avec indicatif ni à un numéro client (comme C100001). Réessayez, ou écrivez « annuler ».",
    es: 'Eso no parece un correo electrónico, un teléfono con prefijo ni un número de cliente (como C100001). Inténtelo de nuevo o escriba «cancelar».',
  },
  verifyCodeSent: {
    en: 'If that matches an account, I have sent a {digits}-digit code to the email address or phone number on file. It is valid for {minutes} minutes. Please type it here (or say "new code").',
    de: 'Wenn das zu einem Konto passt, habe ich einen {digits}-stelligen Code an die hinterlegte E-Mail-Adresse oder Telefonnummer gesendet. Er gilt {minutes} Minuten. Bitte geben Sie ihn hier ein (oder schreiben Sie „neuer Code“).',
    fr: "Si cela correspond à un compte, j'ai envoyé un code à {digits} chiffres à l'adresse e-mail ou au numéro enregistrés. Il est valable {minutes} minutes. Saisissez-le ici (ou écrivez « nouveau code »).",
    es: 'Si coincide con una cuenta, he enviado un código de {digits} cifras al correo o teléfono registrados. Es válido durante {minutes} minutos. Escríbalo aquí (o escriba «nuevo código»).',
  },
  verifyCodeWrong: {
    en: 'That code is not valid. Please check it and try again, or say "new code".',
    de: 'Dieser Code ist nicht gültig. Bitte prüfen Sie ihn und versuchen Sie es erneut, oder schreiben Sie „neuer Code“.',
    fr: "Ce code n'est pas valide. Vérifiez-le et réessayez, ou écrivez « nouveau code ».",
    es: 'Ese código no es válido. Compruébelo e inténtelo de nuevo, o escriba «nuevo código».',
  },
  verifyLimited: {
    en: 'Several codes were requested for these details recently, so I cannot send another one now. Please try again later, call our customer service (the number is on our website), or say "agent".',
    de: 'Für diese Angaben wurden kürzlich mehrere Codes angefordert, daher kann ich jetzt keinen weiteren senden. Bitte versuchen Sie es später erneut, rufen Sie unseren Kundenservice an (die Nummer steht auf unserer Website) oder schreiben Sie „Mitarbeiter“.',
    fr: "Plusieurs codes ont été demandés récemment pour ces coordonnées, je ne peux donc pas en envoyer un autre maintenant. Réessayez plus tard, appelez notre service client (le numéro est sur notre site) ou écrivez « conseiller ».",
    es: 'Se han pedido varios códigos para estos datos hace poco, así que ahora no puedo enviar otro. Inténtelo más tarde, llame a nuestro servicio de atención al cliente (el número está en nuestra web) o escriba «agente».',
  },
  verifyLocked: {
    en: 'For your security, verification for these details is paused after too many wrong codes. Please call our customer service (the number is on our website), or say "agent" to reach a person.',
    de: 'Zu Ihrer Sicherheit ist die Bestätigung für diese Angaben nach zu vielen falschen Codes vorübergehend gesperrt. Bitte rufen Sie unseren Kundenservice an (die Nummer steht auf unserer Website) oder schreiben Sie „Mitarbeiter“, um einen Menschen zu erreichen.',
    fr: "Pour votre sécurité, la vérification pour ces coordonnées est suspendue après trop de codes erronés. Appelez notre service client (le numéro est sur notre site) ou écrivez « conseiller » pour parler à une personne.",
    es: 'Por su seguridad, la verificación para estos datos está en pausa tras demasiados códigos erróneos. Llame a nuestro servicio de atención al cliente (el número está en nuestra web) o escriba «agente» para hablar con una persona.',
  },
  verifyNoMethod: {
    en: 'I cannot confirm your identity for that in this chat. Please sign in on our website and open the chat there, or call our customer service.',
    de: 'Dafür kann ich Ihre Identität in diesem Chat nicht bestätigen. Bitte melden Sie sich auf unserer Website an und öffnen Sie dort den Chat, oder rufen Sie unseren Kundenservice an.',
    fr: "Je ne peux pas confirmer votre identité pour cela dans ce chat. Connectez-vous sur notre site et ouvrez le chat depuis celui-ci, ou appelez notre service client.",
    es: 'No puedo confirmar su identidad para eso en este chat. Inicie sesión en nuestra web y abra el chat allí, o llame a nuestro servicio de atención al cliente.',
  },
  verifySucceeded: {
    en: 'Thank you, you are verified.', de: 'Danke, Sie sind bestätigt.', fr: 'Merci, votre identité est confirmée.', es: 'Gracias, su identidad está confirmada.',
  },
  verifyHostOk: {
    en: 'You are signed in from our website, so I can help with your account.', de: 'Sie sind über unsere Website angemeldet, ich kann Ihnen also bei Ihrem Konto helfen.',
    fr: 'Vous êtes connecté depuis notre site, je peux donc vous aider pour votre compte.', es: 'Ha iniciado sesión desde nuestra web, así que puedo ayudarle con su cuenta.',
  },
  verifyHostFailed: {
    en: 'I could not confirm your sign-in from this page. When you need it, I can verify you with a one-time code instead.',
    de: 'Ich konnte Ihre Anmeldung von dieser Seite nicht bestätigen. Bei Bedarf kann ich Sie stattdessen mit einem Einmalcode bestätigen.',
    fr: "Je n'ai pas pu confirmer votre connexion depuis cette page. Si besoin, je peux vous vérifier avec un code à usage unique.",
    es: 'No he podido confirmar su inicio de sesión desde esta página. Si lo necesita, puedo verificarle con un código de un solo uso.',
  },
  verifyTeamsSignIn: {
    en: 'Please sign in with your work account to confirm who you are.', de: 'Bitte melden Sie sich mit Ihrem Arbeitskonto an, um zu bestätigen, wer Sie sind.',
    fr: 'Connectez-vous avec votre compte professionnel pour confirmer votre identité.', es: 'Inicie sesión con su cuenta de trabajo para confirmar su identidad.',
  },
  verifyTeamsFailed: {
    en: 'I could not match your Teams sign-in to an account. Please call our customer service, or say "agent".',
    de: 'Ich konnte Ihre Teams-Anmeldung keinem Konto zuordnen. Bitte rufen Sie unseren Kundenservice an oder schreiben Sie „Mitarbeiter“.',
    fr: "Je n'ai pas pu associer votre connexion Teams à un compte. Appelez notre service client ou écrivez « conseiller ».",
    es: 'No he podido asociar su inicio de sesión de Teams a una cuenta. Llame a nuestro servicio de atención al cliente o escriba «agente».',
  },
  consentQuestion: {
    en: 'May we keep a copy of this conversation, with personal details removed, to check our service quality?',
    de: 'Dürfen wir eine Kopie dieses Gesprächs ohne persönliche Angaben aufbewahren, um die Qualität unseres Service zu prüfen?',
    fr: 'Pouvons-nous conserver une copie de cette conversation, sans données personnelles, pour contrôler la qualité de notre service ?',
    es: '¿Podemos guardar una copia de esta conversación, sin datos personales, para revisar la calidad de nuestro servicio?',
  },
  consentKeepButton: { en: 'Keep my conversation', de: 'Ja, aufbewahren', fr: 'Oui, la conserver', es: 'Sí, guardarla' },
  consentDontKeepButton: { en: "Don't keep it", de: 'Nicht aufbewahren', fr: 'Ne pas la conserver', es: 'No guardarla' },
  consentKept: {
    en: 'Thank you: we will keep a copy of this conversation with personal details removed. You can say "withdraw my consent" at any time.',
    de: 'Danke: Wir bewahren eine Kopie dieses Gesprächs ohne persönliche Angaben auf. Sie können jederzeit „Einwilligung widerrufen“ schreiben.',
    fr: 'Merci : nous conserverons une copie de cette conversation sans données personnelles. Vous pouvez écrire « retirer mon consentement » à tout moment.',
    es: 'Gracias: guardaremos una copia de esta conversación sin datos personales. Puede escribir «retirar mi consentimiento» en cualquier momento.',
  },
  consentNotKept: {
    en: 'Understood: we will not keep this conversation. I am still here to help.', de: 'Verstanden: Wir bewahren dieses Gespräch nicht auf. Ich helfe Ihnen trotzdem gern.',
    fr: "C'est noté : nous ne conserverons pas cette conversation. Je reste à votre disposition.", es: 'Entendido: no guardaremos esta conversación. Sigo aquí para ayudarle.',
  },
  consentWithdrawn: {
    en: 'Done: your consent is withdrawn, and we no longer keep this conversation. I am still here to help.',
    de: 'Erledigt: Ihre Einwilligung ist widerrufen, und wir bewahren dieses Gespräch nicht mehr auf. Ich helfe Ihnen trotzdem gern.',
    fr: "C'est fait : votre consentement est retiré et nous ne conservons plus cette conversation. Je reste à votre disposition.",
    es: 'Hecho: su consentimiento está retirado y ya no guardamos esta conversación. Sigo aquí para ayudarle.',
  },
  orderStatusIntro: {
    en: 'Here are your most recent orders:', de: 'Hier sind Ihre letzten Bestellungen:', fr: 'Voici vos commandes les plus récentes :', es: 'Estos son sus pedidos más recientes:',
  },
  orderStatusNone: {
    en: 'I cannot find any orders on your account.', de: 'Ich finde keine Bestellungen in Ihrem Konto.', fr: 'Je ne trouve aucune commande sur votre compte.', es: 'No encuentro ningún pedido en su cuenta.',
  },
  addressNoOpenOrder: {
    en: 'None of your orders can still be redirected: they have all shipped or been delivered. For future orders you can change your address in your account on our website.',
    de: 'Keine Ihrer Bestellungen kann noch umgeleitet werden: Alle sind versandt oder geliefert. Für künftige Bestellungen können Sie Ihre Adresse in Ihrem Konto auf unserer Website ändern.',
    fr: "Aucune de vos commandes ne peut encore être réorientée : toutes sont expédiées ou livrées. Pour vos prochaines commandes, modifiez votre adresse dans votre compte sur notre site.",
    es: 'Ninguno de sus pedidos se puede redirigir ya: todos se han enviado o entregado. Para próximos pedidos puede cambiar su dirección en su cuenta de nuestra web.',
  },
  addressAsk: {
    en: 'Order {order} has not shipped yet. What is the new delivery address (street and number, postcode, city)?',
    de: 'Bestellung {order} ist noch nicht versandt. Wie lautet die neue Lieferadresse (Straße und Hausnummer, Postleitzahl, Ort)?',
    fr: "La commande {order} n'est pas encore expédiée. Quelle est la nouvelle adresse de livraison (numéro et rue, code postal, ville) ?",
    es: 'El pedido {order} aún no se ha enviado. ¿Cuál es la nueva dirección de entrega (calle y número, código postal, ciudad)?',
  },
  addressRetry: {
    en: 'Please give street and number, postcode and city in one message.', de: 'Bitte nennen Sie Straße und Hausnummer, Postleitzahl und Ort in einer Nachricht.',
    fr: 'Indiquez le numéro et la rue, le code postal et la ville en un seul message.', es: 'Indique calle y número, código postal y ciudad en un solo mensaje.',
  },
  addressConfirm: {
    en: 'Shall I send this new delivery address for order {order} to our delivery team?', de: 'Soll ich diese neue Lieferadresse für Bestellung {order} an unser Versandteam senden?',
    fr: "Dois-je transmettre cette nouvelle adresse de livraison pour la commande {order} à notre équipe de livraison ?", es: '¿Envío esta nueva dirección de entrega del pedido {order} a nuestro equipo de envíos?',
  },
  addressDone: {
    en: 'Done: the address change for order {order} is recorded (reference {ref}). You will get a confirmation by email to the address on file.',
    de: 'Erledigt: Die Adressänderung für Bestellung {order} ist erfasst (Referenz {ref}). Sie erhalten eine Bestätigung per E-Mail an die hinterlegte Adresse.',
    fr: "C'est fait : le changement d'adresse pour la commande {order} est enregistré (référence {ref}). Vous recevrez une confirmation par e-mail à l'adresse enregistrée.",
    es: 'Hecho: el cambio de dirección del pedido {order} está registrado (referencia {ref}). Recibirá una confirmación por correo en la dirección registrada.',
  },
  addressDeclined: {
    en: 'Okay, nothing was changed.', de: 'In Ordnung, es wurde nichts geändert.', fr: "D'accord, rien n'a été modifié.", es: 'De acuerdo, no se ha cambiado nada.',
  },
  paymentAskKind: {
    en: 'I am sorry about that. What happened?', de: 'Das tut mir leid. Was ist passiert?', fr: 'Désolé pour cela. Que s\'est-il passé ?', es: 'Lo siento. ¿Qué ha pasado?',
  },
  paymentAskLast4: {
    en: 'Which card was it? Please type only the LAST FOUR digits of the card, never the full number.',
    de: 'Um welche Karte geht es? Bitte geben Sie nur die LETZTEN VIER Ziffern der Karte ein, nie die ganze Nummer.',
    fr: "De quelle carte s'agit-il ? Saisissez uniquement les QUATRE DERNIERS chiffres de la carte, jamais le numéro complet.",
    es: '¿Qué tarjeta era? Escriba solo los CUATRO ÚLTIMOS dígitos de la tarjeta, nunca el número completo.',
  },
  paymentLast4Retry: {
    en: 'Please type just the last four digits, for example 1234.', de: 'Bitte geben Sie nur die letzten vier Ziffern ein, zum Beispiel 1234.',
    fr: 'Saisissez seulement les quatre derniers chiffres, par exemple 1234.', es: 'Escriba solo los cuatro últimos dígitos, por ejemplo 1234.',
  },
  paymentFullNumber: {
    en: 'Please never type a full card number in a chat. I did not keep it and will only use the last four digits.',
    de: 'Bitte geben Sie nie eine vollständige Kartennummer in einem Chat ein. Ich habe sie nicht gespeichert und verwende nur die letzten vier Ziffern.',
    fr: "Ne saisissez jamais un numéro de carte complet dans un chat. Je ne l'ai pas conservé et n'utiliserai que les quatre derniers chiffres.",
    es: 'No escriba nunca un número de tarjeta completo en un chat. No lo he guardado y solo usaré los cuatro últimos dígitos.',
  },
  paymentDone: {
    en: 'Thank you. I have opened a payment case (reference {ref}) for the card ending in {last4}: {kind}. Our payments team will reply by email within one business day.',
    de: 'Danke. Ich habe einen Zahlungsfall (Referenz {ref}) für die Karte mit der Endung {last4} angelegt: {kind}. Unser Zahlungsteam antwortet innerhalb eines Werktags per E-Mail.',
    fr: 'Merci. J\'ai ouvert un dossier de paiement (référence {ref}) pour la carte se terminant par {last4} : {kind}. Notre équipe paiements vous répondra par e-mail sous un jour ouvré.',
    es: 'Gracias. He abierto un caso de pago (referencia {ref}) para la tarjeta que termina en {last4}: {kind}. Nuestro equipo de pagos le responderá por correo en un día laborable.',
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
  handoffQueued: {
    en: "I'm putting you through to a person. You're in the queue; the wait is roughly {minutes} minutes. You can keep writing here: the agent will see it. Say \"cancel\" to leave the queue.",
    de: 'Ich verbinde Sie mit einem Menschen. Sie sind in der Warteschlange; die Wartezeit beträgt etwa {minutes} Minuten. Sie können hier weiterschreiben: die Mitarbeiterin oder der Mitarbeiter sieht es. Mit „abbrechen“ verlassen Sie die Warteschlange.',
    fr: "Je vous mets en relation avec une personne. Vous êtes dans la file d'attente ; l'attente est d'environ {minutes} minutes. Vous pouvez continuer à écrire ici : le conseiller le verra. Écrivez « annuler » pour quitter la file.",
    es: 'Le paso con una persona. Está en la cola; la espera es de unos {minutes} minutos. Puede seguir escribiendo aquí: el agente lo verá. Escriba «cancelar» para salir de la cola.',
  },
  handoffLockout: {
    en: "For your security I can't verify you here right now. I'm putting you through to a person instead; the wait is roughly {minutes} minutes.",
    de: 'Zu Ihrer Sicherheit kann ich Sie hier gerade nicht bestätigen. Ich verbinde Sie stattdessen mit einem Menschen; die Wartezeit beträgt etwa {minutes} Minuten.',
    fr: "Pour votre sécurité, je ne peux pas vous vérifier ici pour le moment. Je vous mets plutôt en relation avec une personne ; l'attente est d'environ {minutes} minutes.",
    es: 'Por su seguridad, ahora no puedo verificarle aquí. En su lugar le paso con una persona; la espera es de unos {minutes} minutos.',
  },
  handoffStillQueued: {
    en: "You're still in the queue for a person; the agent will see what you write. Say \"cancel\" to go back to the assistant.",
    de: 'Sie sind noch in der Warteschlange; die Mitarbeiterin oder der Mitarbeiter sieht, was Sie schreiben. Mit „abbrechen“ kehren Sie zum Assistenten zurück.',
    fr: "Vous êtes toujours dans la file d'attente ; le conseiller verra ce que vous écrivez. Écrivez « annuler » pour revenir à l'assistant.",
    es: 'Sigue en la cola; el agente verá lo que escriba. Escriba «cancelar» para volver al asistente.',
  },
  handoffCancelled: {
    en: "You've left the queue. I'm here again: what can I do for you?", de: 'Sie haben die Warteschlange verlassen. Ich bin wieder für Sie da: was kann ich tun?',
    fr: "Vous avez quitté la file d'attente. Je suis de nouveau là : que puis-je faire pour vous ?", es: 'Ha salido de la cola. Vuelvo a estar aquí: ¿en qué puedo ayudarle?',
  },
  handoffAgentJoined: {
    en: 'A member of our team has joined the conversation.', de: 'Ein Mitglied unseres Teams ist dem Gespräch beigetreten.',
    fr: "Un membre de notre équipe a rejoint la conversation.", es: 'Un miembro de nuestro equipo se ha unido a la conversación.',
  },
  handoffReturned: {
    en: "You're back with the Trustline assistant. What else can I do for you?", de: 'Sie sind wieder beim Trustline-Assistenten. Was kann ich sonst für Sie tun?',
    fr: "Vous êtes de retour avec l'assistant Trustline. Que puis-je faire d'autre pour vous ?", es: 'Vuelve a estar con el asistente de Trustline. ¿Qué más puedo hacer por usted?',
  },
  handoffClosed: {
    en: 'The conversation with our team has ended. Thank you! If you need anything else, just write here.', de: 'Das Gespräch mit unserem Team ist beendet. Vielen Dank! Wenn Sie noch etwas brauchen, schreiben Sie einfach hier.',
    fr: "La conversation avec notre équipe est terminée. Merci ! Si vous avez besoin d'autre chose, écrivez simplement ici.", es: 'La conversación con nuestro equipo ha terminado. ¡Gracias! Si necesita algo más, escriba aquí.',
  },
  handoffOffer: {
    en: 'Sorry, nobody is free yet. Would you like a callback or an email from us instead? Answer "callback" or "email", or keep waiting.',
    de: 'Leider ist noch niemand frei. Möchten Sie stattdessen einen Rückruf oder eine E-Mail von uns? Antworten Sie „Rückruf“ oder „E-Mail“, oder warten Sie weiter.',
    fr: "Désolé, personne n'est encore disponible. Préférez-vous être rappelé ou recevoir un e-mail ? Répondez « rappel » ou « e-mail », ou continuez à patienter.",
    es: 'Lo sentimos, aún no hay nadie libre. ¿Prefiere que le llamemos o le escribamos un correo? Responda «llamada» o «correo», o siga esperando.',
  },
  handoffFollowupRecorded: {
    en: "Noted: our team will get back to you ({method}) using the contact details we have on file. I'm here again in the meantime.",
    de: 'Notiert: unser Team meldet sich ({method}) über die bei uns hinterlegten Kontaktdaten. Bis dahin bin ich wieder für Sie da.',
    fr: "C'est noté : notre équipe vous recontactera ({method}) aux coordonnées enregistrées. En attendant, je suis de nouveau là.",
    es: 'Anotado: nuestro equipo se pondrá en contacto ({method}) con los datos de contacto registrados. Mientras tanto, vuelvo a estar aquí.',
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
  // Data-subject requests (issue 5). {ref} is the receipt number the customer can quote.
  dsrOptOutDone: {
    en: 'Done: we will not sell or share your personal information, starting now. No verification was needed. Your receipt number is {ref}.',
    de: 'Erledigt: Wir verkaufen und teilen Ihre personenbezogenen Daten ab sofort nicht. Eine Bestätigung Ihrer Identität war dafür nicht nötig. Ihre Vorgangsnummer ist {ref}.',
    fr: "C'est fait : nous ne vendrons ni ne partagerons vos informations personnelles, dès maintenant. Aucune vérification n'était nécessaire. Votre numéro de reçu est {ref}.",
    es: 'Hecho: desde ahora no venderemos ni compartiremos su información personal. No hacía falta verificar su identidad. Su número de justificante es {ref}.',
  },
  dsrAccessSummary: {
    en: 'Here is what we hold about you (receipt {ref}), without reading the values back:\n- Profile: {fields}\n- Orders: {orders}\n- Consent records: {consent}\n- Conversations with us: {conversations} ({entries} kept messages, redacted)\n- Hand-overs to a person: {handoffs}\n- Your data requests: {requests}\n- Opt-out of sale or sharing: {optout}\n{staff}\nCopies we cannot erase ourselves: Microsoft Teams and Azure Bot Service (Direct Line) keep their own copies of chats for their retention periods. Say "send me my data" for a full copy.',
    de: 'Das speichern wir über Sie (Vorgang {ref}), ohne die Werte vorzulesen:\n- Profil: {fields}\n- Bestellungen: {orders}\n- Einwilligungsnachweise: {consent}\n- Gespräche mit uns: {conversations} ({entries} aufbewahrte Nachrichten, geschwärzt)\n- Übergaben an einen Menschen: {handoffs}\n- Ihre Datenanfragen: {requests}\n- Widerspruch gegen Verkauf oder Weitergabe: {optout}\n{staff}\nKopien, die wir nicht selbst löschen können: Microsoft Teams und Azure Bot Service (Direct Line) behalten eigene Kopien der Chats für ihre Aufbewahrungsfristen. Schreiben Sie „schicken Sie mir meine Daten“ für eine vollständige Kopie.',
    fr: 'Voici ce que nous détenons sur vous (reçu {ref}), sans relire les valeurs :\n- Profil : {fields}\n- Commandes : {orders}\n- Preuves de consentement : {consent}\n- Conversations avec nous : {conversations} ({entries} messages conservés, masqués)\n- Transferts à une personne : {handoffs}\n- Vos demandes sur vos données : {requests}\n- Opposition à la vente ou au partage : {optout}\n{staff}\nCopies que nous ne pouvons pas effacer nous-mêmes : Microsoft Teams et Azure Bot Service (Direct Line) conservent leurs propres copies des échanges pendant leur durée de conservation. Écrivez « envoyez-moi mes données » pour une copie complète.',
    es: 'Esto es lo que tenemos sobre usted (justificante {ref}), sin leerle los valores:\n- Perfil: {fields}\n- Pedidos: {orders}\n- Registros de consentimiento: {consent}\n- Conversaciones con nosotros: {conversations} ({entries} mensajes guardados, anonimizados)\n- Traspasos a una persona: {handoffs}\n- Sus solicitudes sobre datos: {requests}\n- Exclusión de venta o cesión: {optout}\n{staff}\nCopias que no podemos borrar nosotros: Microsoft Teams y Azure Bot Service (Direct Line) guardan sus propias copias de los chats durante sus plazos de conservación. Escriba «envíame mis datos» para una copia completa.',
  },
  dsrStaffNone: {
    en: 'Nobody at our company has viewed your conversation data.', de: 'Niemand in unserem Unternehmen hat Ihre Gesprächsdaten angesehen.',
    fr: "Personne dans notre entreprise n'a consulté les données de vos conversations.", es: 'Nadie de nuestra empresa ha consultado los datos de sus conversaciones.',
  },
  dsrStaffIntro: {
    en: 'Who at our company viewed your data, and when:', de: 'Wer in unserem Unternehmen Ihre Daten angesehen hat, und wann:',
    fr: 'Qui, dans notre entreprise, a consulté vos données, et quand :', es: 'Quién de nuestra empresa consultó sus datos, y cuándo:',
  },
  dsrExportLink: {
    en: 'Your data is ready as a JSON file: {url}\nThe link works once and for {minutes} minutes, only for this verified conversation. Receipt number: {ref}.',
    de: 'Ihre Daten liegen als JSON-Datei bereit: {url}\nDer Link funktioniert einmal und {minutes} Minuten lang, nur für dieses bestätigte Gespräch. Vorgangsnummer: {ref}.',
    fr: 'Vos données sont prêtes dans un fichier JSON : {url}\nLe lien fonctionne une seule fois, pendant {minutes} minutes, uniquement pour cette conversation vérifiée. Numéro de reçu : {ref}.',
    es: 'Sus datos están listos en un archivo JSON: {url}\nEl enlace funciona una sola vez, durante {minutes} minutos, solo para esta conversación verificada. Número de justificante: {ref}.',
  },
  dsrCorrectAsk: {
    en: 'What would you like to correct?', de: 'Was möchten Sie berichtigen?', fr: 'Que souhaitez-vous corriger ?', es: '¿Qué desea corregir?',
  },
  dsrCorrectAskEmail: {
    en: 'Please type the new email address.', de: 'Bitte geben Sie die neue E-Mail-Adresse ein.', fr: 'Saisissez la nouvelle adresse e-mail.', es: 'Escriba la nueva dirección de correo electrónico.',
  },
  dsrCorrectAskPhone: {
    en: 'Please type the new phone number with country code (e.g. +44...).', de: 'Bitte geben Sie die neue Telefonnummer mit Ländervorwahl ein (z. B. +49...).',
    fr: "Saisissez le nouveau numéro avec l'indicatif (p. ex. +33...).", es: 'Escriba el nuevo número con prefijo internacional (p. ej. +34...).',
  },
  dsrCorrectAskAddress: {
    en: 'Please type the new postal address as "street and number, postcode city".', de: 'Bitte geben Sie die neue Anschrift ein als „Straße und Hausnummer, PLZ Ort“.',
    fr: 'Saisissez la nouvelle adresse postale sous la forme « numéro et rue, code postal ville ».', es: 'Escriba la nueva dirección postal como «calle y número, código postal ciudad».',
  },
  dsrCorrectInvalid: {
    en: 'That does not look right. Please try again, or say "cancel".', de: 'Das sieht nicht richtig aus. Bitte versuchen Sie es erneut oder schreiben Sie „abbrechen“.',
    fr: 'Cela ne semble pas correct. Réessayez, ou écrivez « annuler ».', es: 'Eso no parece correcto. Inténtelo de nuevo o escriba «cancelar».',
  },
  dsrCorrectCodeSent: {
    en: 'To make sure the new contact point is yours, I have sent a code to it (valid {minutes} minutes). Please type it here. Until then nothing changes.',
    de: 'Um sicherzugehen, dass die neue Kontaktangabe Ihnen gehört, habe ich einen Code dorthin gesendet (gültig {minutes} Minuten). Bitte geben Sie ihn hier ein. Bis dahin ändert sich nichts.',
    fr: "Pour vérifier que ce nouveau contact est bien le vôtre, je vous y ai envoyé un code (valable {minutes} minutes). Saisissez-le ici. D'ici là, rien ne change.",
    es: 'Para comprobar que el nuevo contacto es suyo, le he enviado un código (válido {minutes} minutos). Escríbalo aquí. Hasta entonces no cambia nada.',
  },
  dsrCorrectCodeWrong: {
    en: 'That code is not valid, so nothing was changed.', de: 'Dieser Code ist nicht gültig, daher wurde nichts geändert.',
    fr: "Ce code n'est pas valide : rien n'a été modifié.", es: 'Ese código no es válido, así que no se ha cambiado nada.',
  },
  dsrCorrectConfirmAddress: {
    en: 'Shall I replace the postal address on file with the one you typed?', de: 'Soll ich die hinterlegte Anschrift durch die eingegebene ersetzen?',
    fr: "Dois-je remplacer l'adresse postale enregistrée par celle que vous avez saisie ?", es: '¿Sustituyo la dirección postal registrada por la que ha escrito?',
  },
  dsrCorrectDone: {
    en: 'Done: the new value replaces the old one in our records, and the old one no longer appears in this conversation. We passed the change on to: {recipients}. Receipt number: {ref}.',
    de: 'Erledigt: Der neue Wert ersetzt den alten in unseren Unterlagen, der alte erscheint in diesem Gespräch nicht mehr. Wir haben die Änderung weitergegeben an: {recipients}. Vorgangsnummer: {ref}.',
    fr: "C'est fait : la nouvelle valeur remplace l'ancienne dans nos dossiers, et l'ancienne n'apparaît plus dans cette conversation. Nous avons transmis la modification à : {recipients}. Numéro de reçu : {ref}.",
    es: 'Hecho: el nuevo valor sustituye al anterior en nuestros registros y el anterior ya no aparece en esta conversación. Hemos comunicado el cambio a: {recipients}. Número de justificante: {ref}.',
  },
  dsrCorrectNoChannel: {
    en: 'I cannot send a code to that kind of contact point here, so nothing was changed. A person can help: say "agent".', de: 'An diese Art von Kontaktangabe kann ich hier keinen Code senden, daher wurde nichts geändert. Ein Mensch hilft gern: schreiben Sie „Mitarbeiter“.',
    fr: "Je ne peux pas envoyer de code vers ce type de contact ici : rien n'a été modifié. Un conseiller peut vous aider : écrivez « conseiller ».", es: 'No puedo enviar un código a ese tipo de contacto aquí, así que no se ha cambiado nada. Una persona puede ayudarle: escriba «agente».',
  },
  dsrEraseExplain: {
    en: 'If you confirm, we delete everything we hold about you: your conversations and their transcripts, consent and verification records, hand-overs to our staff, your profile in our customer directory, and the keys that protect it all, so that even backups can no longer be read. We keep only a record without personal details that this request happened (receipt {ref}), and anything the law requires us to keep (I will tell you what). Copies we cannot erase ourselves: Microsoft Teams and Azure Bot Service (Direct Line) keep their own copies of chats for their retention periods; please ask them directly. Do you want us to delete your data now?',
    de: 'Wenn Sie bestätigen, löschen wir alles, was wir über Sie speichern: Ihre Gespräche und deren Protokolle, Einwilligungs- und Bestätigungsnachweise, Übergaben an unsere Mitarbeitenden, Ihr Profil in unserem Kundenverzeichnis und die Schlüssel, die all das schützen, sodass auch Sicherungskopien nicht mehr lesbar sind. Wir behalten nur einen Nachweis ohne personenbezogene Angaben, dass diese Anfrage stattfand (Vorgang {ref}), und was wir gesetzlich aufbewahren müssen (ich sage Ihnen, was). Kopien, die wir nicht selbst löschen können: Microsoft Teams und Azure Bot Service (Direct Line) behalten eigene Kopien der Chats für ihre Aufbewahrungsfristen; wenden Sie sich bitte direkt an sie. Sollen wir Ihre Daten jetzt löschen?',
    fr: "Si vous confirmez, nous supprimons tout ce que nous détenons sur vous : vos conversations et leurs transcriptions, les preuves de consentement et de vérification, les transferts à notre personnel, votre profil dans notre annuaire clients et les clés qui protègent tout cela, de sorte que même les sauvegardes deviennent illisibles. Nous ne gardons qu'une trace sans données personnelles de cette demande (reçu {ref}) et ce que la loi nous oblige à conserver (je vous dirai quoi). Copies que nous ne pouvons pas effacer nous-mêmes : Microsoft Teams et Azure Bot Service (Direct Line) conservent leurs propres copies des échanges pendant leur durée de conservation ; adressez-vous directement à eux. Voulez-vous que nous supprimions vos données maintenant ?",
    es: 'Si lo confirma, borraremos todo lo que tenemos sobre usted: sus conversaciones y sus transcripciones, los registros de consentimiento y de verificación, los traspasos a nuestro personal, su perfil en nuestro directorio de clientes y las claves que lo protegen todo, de modo que ni siquiera las copias de seguridad se puedan leer. Solo guardamos un registro sin datos personales de que esta solicitud existió (justificante {ref}) y lo que la ley nos obliga a conservar (le diré qué). Copias que no podemos borrar nosotros: Microsoft Teams y Azure Bot Service (Direct Line) guardan sus propias copias de los chats durante sus plazos de conservación; diríjase a ellos directamente. ¿Quiere que borremos sus datos ahora?',
  },
  dsrCorrectDeclined: {
    en: 'Nothing was changed. Request {ref} is closed as cancelled.', de: 'Es wurde nichts geändert. Die Anfrage {ref} ist als abgebrochen geschlossen.',
    fr: "Rien n'a été modifié. La demande {ref} est close comme annulée.", es: 'No se ha cambiado nada. La solicitud {ref} queda cerrada como cancelada.',
  },
  dsrEraseDone: {
    en: 'Your data has been deleted and its keys destroyed. Receipt number: {ref}. {retained} This conversation no longer knows who you are.',
    de: 'Ihre Daten wurden gelöscht und ihre Schlüssel vernichtet. Vorgangsnummer: {ref}. {retained} Dieses Gespräch weiß nicht mehr, wer Sie sind.',
    fr: 'Vos données ont été supprimées et leurs clés détruites. Numéro de reçu : {ref}. {retained} Cette conversation ne sait plus qui vous êtes.',
    es: 'Sus datos se han borrado y sus claves se han destruido. Número de justificante: {ref}. {retained} Esta conversación ya no sabe quién es usted.',
  },
  dsrEraseRetainedNone: {
    en: 'Our customer directory keeps nothing about you.', de: 'Unser Kundenverzeichnis behält nichts über Sie.', fr: "Notre annuaire clients ne conserve rien sur vous.", es: 'Nuestro directorio de clientes no conserva nada sobre usted.',
  },
  dsrEraseRetained: {
    en: 'By law, our system of record must keep: {list}.', de: 'Gesetzlich muss unser Stammsystem aufbewahren: {list}.', fr: 'La loi oblige notre système de référence à conserver : {list}.', es: 'Por ley, nuestro sistema de registro debe conservar: {list}.',
  },
  dsrEraseInProgress: {
    en: 'Your deletion is under way and will finish on its own, even if we are interrupted. Receipt number: {ref}.', de: 'Ihre Löschung läuft und wird von selbst abgeschlossen, auch wenn wir unterbrochen werden. Vorgangsnummer: {ref}.',
    fr: 'Votre suppression est en cours et se terminera d\'elle-même, même en cas d\'interruption. Numéro de reçu : {ref}.', es: 'Su borrado está en curso y terminará por sí solo, aunque haya una interrupción. Número de justificante: {ref}.',
  },
  dsrEraseDeclined: {
    en: 'Nothing was deleted. Request {ref} is closed as cancelled.', de: 'Es wurde nichts gelöscht. Die Anfrage {ref} ist als abgebrochen geschlossen.',
    fr: "Rien n'a été supprimé. La demande {ref} est close comme annulée.", es: 'No se ha borrado nada. La solicitud {ref} queda cerrada como cancelada.',
  },
  dsrFailed: {
    en: 'Sorry, I could not finish that right now. Your request {ref} is recorded and will be answered by {due}.', de: 'Das konnte ich gerade nicht abschließen. Ihre Anfrage {ref} ist erfasst und wird bis {due} beantwortet.',
    fr: "Désolé, je n'ai pas pu terminer pour l'instant. Votre demande {ref} est enregistrée et recevra une réponse d'ici le {due}.", es: 'Lo siento, no he podido terminarlo ahora. Su solicitud {ref} está registrada y se responderá antes del {due}.',
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
  // Breach notice (GDPR art. 34), sent only after a second admin approved it (compliance/). {date}: when we became
  // aware; {classes}: the data concerned, from breachClass* below; {ref}: the incident reference.
  breachNotice: {
    en: 'Important notice from Trustline about your data. On {date} we found that a security incident may have exposed {classes} from your conversations with us. We have locked the affected keys and re-secured the data. You do not need to do anything in this chat; please be careful with unexpected messages that ask for codes or payment details. You can ask us about this here at any time, or write to our data protection officer. (reference {ref})',
    de: 'Wichtiger Hinweis von Trustline zu Ihren Daten. Am {date} haben wir festgestellt, dass bei einem Sicherheitsvorfall {classes} aus Ihren Gesprächen mit uns offengelegt worden sein könnten. Wir haben die betroffenen Schlüssel gesperrt und die Daten neu gesichert. Sie müssen in diesem Chat nichts tun; seien Sie bitte vorsichtig bei unerwarteten Nachrichten, die nach Codes oder Zahlungsdaten fragen. Sie können uns hier jederzeit dazu fragen oder unserer Datenschutzbeauftragten schreiben. (Referenz {ref})',
    fr: "Information importante de Trustline concernant vos données. Le {date}, nous avons constaté qu'un incident de sécurité a pu exposer {classes} de vos conversations avec nous. Nous avons bloqué les clés concernées et sécurisé à nouveau les données. Vous n'avez rien à faire dans ce chat ; méfiez-vous des messages inattendus qui demandent des codes ou des données de paiement. Vous pouvez nous interroger ici à tout moment ou écrire à notre délégué à la protection des données. (référence {ref})",
    es: 'Aviso importante de Trustline sobre sus datos. El {date} detectamos que un incidente de seguridad pudo exponer {classes} de sus conversaciones con nosotros. Hemos bloqueado las claves afectadas y protegido de nuevo los datos. No necesita hacer nada en este chat; tenga cuidado con mensajes inesperados que pidan códigos o datos de pago. Puede preguntarnos aquí en cualquier momento o escribir a nuestro delegado de protección de datos. (referencia {ref})',
  },
  breachClassTranscripts: { en: 'chat transcripts', de: 'Chatverläufe', fr: 'des historiques de conversation', es: 'historiales de chat' },
  breachClassHandoff: { en: 'messages with our agents', de: 'Nachrichten mit unseren Mitarbeitenden', fr: 'des messages échangés avec nos conseillers', es: 'mensajes con nuestros agentes' },
  breachClassState: { en: 'conversation details', de: 'Gesprächsdaten', fr: 'des données de conversation', es: 'datos de la conversación' },
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
