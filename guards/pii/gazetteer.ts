/**
 * A modest, hand-curated gazetteer of common given names in the four languages (written for this project, not
 * copied from a data set), plus the words the name rules must never take for a name. Lookups fold case and
 * diacritics ("Rubén" = "ruben"). A gazetteer hit alone never makes a PERSON: the rules in the person recognizer
 * combine it with capitalisation or context.
 */
import { allLocales } from '@faker-js/faker';
import { fold } from './text.js';

const EN = `
aaron abigail adam adrian aidan alan albert alex alexander alexis alfie alice alicia alison alistair allison alyssa amanda
amber amelia amy andre andrea andrew angela angus anna anne annie anthony april archie arthur ashley aubrey audrey austin
ava barbara barry beatrice becky ben benjamin beth bethany betty beverly bill billy blake bob bobby brad bradley brandon
brenda brett brian brianna brittany bruce bryan caitlin callum calvin cameron carl carla carlos carol caroline carolyn
cassandra catherine cerys chad charles charlie charlotte chelsea cheryl chloe chris christian christina christine
christopher cindy claire clara clayton clive cody colin connor craig crystal cynthia daisy dale dan daniel danielle
darnell darren dave david dean debbie deborah debra declan denise dennis derek destiny diana diane dominic donald donna
doris dorothy douglas drew dustin dwayne dylan eddie edward eilidh eleanor elijah elizabeth ella ellie emily emma eric
erica erin ethan eugene euan evan evelyn evie faye felicity ffion finlay fiona florence frances francesca frank fraser
freddie frederick freya gabriel gareth garrett gary gavin gemma george georgia gerald gillian glenn gloria gordon grace
graham grant greg gregory gwen hamish hannah harold harriet harrison harry harvey hayley heather helen henry holly hugh
hunter huw iain ian imogen isaac isabel isabella isabelle isla jack jackie jackson jacob jacqueline jade jake jamal james
jamie jane janet janice jared jasmine jason jay jean jeff jeffrey jenna jennifer jenny jeremy jerry jesse jessica jill
jim jimmy joan joanna joanne jodie joe joel john johnny jon jonathan jordan joseph josh joshua joy joyce juan judith judy
julia julian julie justin karen kate katherine kathleen kathryn katie kayla keisha keith kelly ken kenneth kerry kevin
kieran kim kimberly kirsty kristen kyle lachlan lance larry latisha latoya laura lauren lawrence leah leanne lee leo
leon lewis liam lily linda lindsay lisa logan lois lori louis louise lowri lucas lucy luke lydia lynn madison maisie
malcolm mandy marcus margaret maria marie marilyn mark martha martin mary mason matilda matt matthew maureen max megan
melanie melissa mia michael michelle mike millie miranda mitchell molly morag morgan nancy naomi natalie nathan neil
nicholas nicola nicole niamh nigel noah nora norman olivia oliver oscar owen paige pamela patricia patrick paul paula
penelope penny peter phil philip phoebe phyllis poppy rachel ralph ramon randy ray raymond rebecca reece rhiannon rhys
richard rick ricky riley rob robert robin rodney roger ronald rory rosie ross roy ruby russell ruth ryan sally sam
samantha samuel sandra sara sarah scarlett scott sean shane shanice shannon sharon shaun sheila shirley shona sian
simon siobhan skye sophia sophie spencer stacey stanley stephanie stephen steve steven stuart sue sunny susan suzanne
tamika tanya tara taylor terry theo theodore theresa thomas tiffany tilly tim timothy tina toby todd tom tommy tony
tracy travis trevor troy tyler tyrone valerie vanessa veronica vicky victor victoria vincent violet walter wayne wendy
wesley william willie xavier yvonne zachary zoe zach
`;

const DE = `
agnes alexandra andreas angelika anja anke annika antje armin arne axel bastian benedikt bernd bettina birgit bjorn
björn brigitte carina carsten christa christiane christoph claudia cornelia dagmar daniela detlef dieter dirk dominik
doris elke elias emil emilia erika ernst erwin eva fabian felix finn florian frank franziska frieda friedrich fritz
gabriele georg gerd gerhard gisela greta gudrun günter gunter hanna hannah hannelore hans hartmut heike heiko heinrich
heinz helga helmut henning herbert holger horst ida ilse ines ingo ingrid irmgard jan jana janina jannik jens jochen
johanna johannes jonas jörg jorg josef julia jürgen jurgen kai karin karl karsten katharina kathrin katja kerstin klara
klaus konrad kurt lars lea lena leni leonie leonhard lina lisa lotte luca ludwig luis luisa lukas maik malte manfred
manuela mareike marco marcel marina marion marius markus marlene martina mathias matthias max maximilian melanie merle
mia michaela mirko monika moritz nadine nele niklas nils nina norbert olaf ole otto paula petra philipp rainer ralf
regina reinhard renate rolf rüdiger rudolf ruth sabine sabrina sandra sascha sebastian silke simone sönke sophie stefan
stefanie steffen susanne svea sven svenja tanja thomas thorsten till tim tobias torsten ulla ulrich ulrike ursula uta
ute uwe vanessa volker walter werner wilhelm wolfgang yvonne
`;

const FR = `
adèle adrien agathe agnès aimé alain alexandre alexis alice amandine ambre amélie anaïs andré anne antoine apolline
arnaud arthur aurélie aurélien baptiste bastien benoît bernard brigitte bruno capucine camille caroline cécile céline
charles charlotte chloé christelle christian christine christophe claire claude clément clémence colette corinne damien
daniel delphine denis didier dominique édouard élise élodie éloïse emma émilie emmanuel enzo éric estelle étienne eugénie
fabien fabrice fanny florence florian francis françois françoise frédéric gabriel gaëlle gaspard geneviève georges
gérard ghislaine gilles grégoire guillaume guy hélène henri hervé hugo inès isabelle jacqueline jacques jade jean
jeanne jérémy jérôme joël joséphine jules julie julien juliette justine karim laetitia laëtitia laure laurence laurent
léa léo léon léonie lina louis louise lucas lucie lucien madeleine maël maëlle manon marc marcel margaux marguerite
marianne marie marine martine mathieu mathilde mathis matthieu maxime mehdi mélanie michel michèle mireille monique
morgane nadia nathalie nicolas noémie océane odile olive olivier pascal pascale patrice patrick paul pauline philippe
pierre rachid raphaël raymond régis rémi renaud robert rose sacha samuel sandrine sébastien serge simone solène sophie
stéphane stéphanie suzanne sylvain sylvie thérèse thibault thierry thomas timothée valentin valérie véronique victor
vincent violette virginie xavier yacine yann yannick yasmine yves zoé
`;

const ES = `
adrián agustín aitor alba alberto alejandra alejandro alfonso alicia álvaro amaia amparo ana andrés ángel ángela
antonia antonio araceli asier beatriz begoña benito blanca borja carla carlos carmen carolina catalina cayetana celia
césar clara claudia concepción consuelo cristian cristina daniel daniela david diego dolores eduardo elena emilio
encarnación enrique esperanza esteban esther eugenia eva fátima federico felipe fernando francisca francisco gabriel
gerardo gloria gonzalo gorka guillermo héctor hugo ignacio inés inmaculada irene isabel ismael itziar iván iker jaime
javier jesús joaquín jordi jorge josé josefa juan julia julián laura leire leticia lidia lorena lourdes lucas lucía luis
luz manuel manuela marc marcos margarita maría mariano marina mario marta martín martina mateo mercedes miguel mikel
milagros miriam mónica montserrat natalia nerea nicolás noelia nuria núria óscar pablo paloma patricia pau paula pedro
pilar pol rafael ramón raquel raúl remedios ricardo roberto rocío rodrigo rosa rosario rubén salvador samuel santiago
sara sergio silvia sofía soledad sonia susana teresa tomás unai valeria vanesa verónica vicente víctor virginia xavier
yolanda
`;

const EN_MORE = `
abby adele agnes aisha alana alfred alisha alma alvin amir andy angel angelo anita annette antonio ari arlene arnold
asher aurora autumn barbara bea bella bernadette bernard bianca blair bonnie brendan brent bridget brooke bryce bryony
caleb camila candice carmen carrie cecilia celeste chantelle charity chester chuck claudia clifford clint cole colleen
conor cora corey courtney curtis cyril dakota damian damon dana daphne darius darla darryl deborah deirdre delia della
demi desmond devon dexter diego dolly dominique donovan dora dorian duncan dwight earl ebony edgar edith edna eileen elaine
eli elias eliza ellen elliot elsie elton emmett enid esme esther ethel eva everett ezra fatima felix fern fergus flora
floyd forrest francis freddy gail gemma geoffrey gerry gilbert gina giselle glen gordon gregor gwendolyn hank hattie hazel
hector heidi herbert hilary hollie howard hudson ida ingrid irene irma isaiah isobel ivan ivy jacqui jaden jake jamal
janelle janine jared jasper jeanette jemima jennie jeremiah jess jo jocelyn jodi johanna jolene josephine josie juanita
judd jude june kai kara kareem karl kasey katrina kay keira kendra kenny kerri kirk kris kurt lacey lamar lana lara
laurie layla leila lena leonard leroy lesley leslie lester levi lila lillian lloyd lola lorna lorraine lottie lucia
lucille luther lyle mabel mackenzie mae maggie malik mara marcia marcy margo marian marianne marisa marjorie marley marlon
marnie marsha marvin maxine maya meg mel melvin mercy meredith micah mildred milo mina miriam misty moira monica monique
murray myra nadia nadine nathaniel neal nell nettie niall nick nico nina noel noreen odette olga ollie omar orla otis
patsy pearl percy perry petra piper priya quentin quinn rachael raj ramona randall raquel reggie reuben rex rhoda rita
roberta rocco roisin roland rolf ronnie rosa rosalind rowan roxanne rufus rupert sabrina sadie sahil sally sasha saul
selena serena seth shana shania shelby sherry sid sienna sierra silas sofia sonia stella sterling sybil sylvia tabitha
tamara tammy tariq ted terrence tess thea thelma tobias toni tracey trisha trudy tyson una ursula vera vernon vic vince
viola virginia vivian wade wallace warren wilbur wilma winnie wyatt yasmin yolanda yusuf zane zara zelda
aled bethan bronwen carys dai dewi eira elin emrys gethin glyn gwyneth ioan iwan llinos llyr meleri mererid nia osian rhodri
seren siwan tomos ailsa catriona eilish fionnuala grainne lachie mhairi morven oisin padraig ruairi seamus sorcha
ewan calum alasdair murdo torquil struan innes kenzie lorne ross gregor
deshawn deandre jamar keshawn lakisha laquita shaniqua tanisha terrell tyrell tyreek jaylen jalen marquis darnell
`;
const DE_MORE = `
adrian alina amelie anett angela anton arne astrid barbara ben benjamin bernhard bert birte bodo britta burkhard carl
charlotte christel christine clemens conrad constanze corinna dana david denise diana dorothea edith egon elena elfriede
elisabeth ella elli emilie emma enrico erich erik eske esther ewald fenja finja franz frauke frederik friedhelm gabi
gerda gernot gertrud gesa gregor gustav hagen hanno hans-peter harald hedwig heidi heiner heinrich helene helmuth hendrik
henri henrik hermann hilde hildegard hubert hugo ilka ina inge irene iris isabel jakob janine janosch jasmin jessica joachim
joel johann jonathan josefine judith jule juliane julius justus karla karoline kay kirsten knut konstantin kristina lara
laura lennart lenz leo leon leopold levin liane lilli lina linus lisbeth lothar lotta louisa lucas ludger luise lutz
magdalena mara marc marie marieke mario marit markus marlies mathilda maren mattis meike michael mila mira miriam moritz
nadja natalie nico nicole niels noah nora oliver oskar pascal patricia paul peer petra philippa pia rafael ralph raphael
reiner renate rene ricarda richard robert robin roland ronja rosemarie ruben sabina sara selina silvia simon sina sofie
sonja stephan susann sybille tabea tamara teresa theo thilo timo tina tom ulrike valentin vera veronika viktor vincent
waltraud wiebke willi wilma yannick yasmin zoe
`;
const FR_MORE = `
abdel adeline adrienne ahmed albane alexia aline alix amaury anaïs angèle annabelle annick antoinette apolline ariane armand
arnaud audrey augustin aurore axel aymeric barbara bastien béatrice bénédicte benjamin bérénice blanche brice capucine
carole cassandre cathy célestin chantal charlène christophe claudine clarisse coralie corentin cyril cyrille danielle
david denise diane dimitri donatien dorian eliott elsa emeline émile emmanuelle eric étienne evelyne fabienne faustine
félix fernand florent florence francine franck gabrielle gaétan gautier gérald germaine ginette gisèle gwenaëlle gwendal
héloïse hervé hortense hubert ibrahim irène jacky jean-baptiste jean-claude jean-louis jean-luc jean-marc jean-marie
jean-paul jean-pierre jeannine jocelyne joëlle jonathan josiane josette jules julia karine kévin lambert léna léon
léopold lionel lise loïc lola lorraine loïs louane louis luc lucas ludovic lydie maëva malik mamadou marc-antoine
marcelle marie-claire marie-christine marie-france marielle marius marjorie martial maryse mathias maxence maximilien
mélodie mickaël mohamed muriel myriam nadège naël nathan nadine nicole ninon noah noël noëlle odette olivia oscar
patricia paulette perrine philippine pierre-yves quentin rayan régine rémy robin rodolphe roger roland romane romain
rosalie ruben sabine salomé samia sarah ségolène séverine sidonie simon sofiane solange soraya sylvaine tatiana théa
théodore thibaut tiphaine tristan ugo ulysse valentine vanessa victoire victorine vivien wassim william yanis yasmina
yvette yvonne zacharie
`;
const ES_MORE = `
abel abigail adela adolfo adriana agustina aina ainara aitana alexia alfredo alma amalia amelia anabel andrea aníbal
anselmo ariadna arturo aurora bárbara bartolomé belén bernardo berta bruno camila candela carolina casimiro cecilia
chema ciro clemente conchita cristóbal damián dario débora diana dionisio domingo dulce edgar elías eloísa elvira
emilia encarna ernesto esmeralda estefanía estela eusebio evaristo ezequiel fabián fausto feliciano fermín fidel
florencia fran gabriela gaspar genoveva germán gilberto gisela gregorio gustavo hernán hilario horacio ignacia ildefonso
imanol inma irati iratxe isaac isidro ivana jacinto jacobo jana jenaro jimena joan joel jonás josu juana julen julio
justo leandro leire leocadia leonor leopoldo lorenzo luciano lucio luisa macarena mafalda maite manolo mar marcelino
marcelo mariana maribel maricarmen marisa marisol martina mateo matías maximiliano mercè merche micaela miriam moisés
nacho nahia naiara natividad nazaret nerea nieves noa norberto octavio olga olivia omar oriol orlando pascual patxi
paz pepa pepe pere perla primitivo prudencio purificación quique ramiro ramona reyes rebeca reinaldo rigoberto roberto
rogelio rolando romeo rosalía rosendo rufino sabina salomé samanta sancho santos sebastián serafín severino silvio
simón sol tamara tatiana teodoro tere trinidad ulises urbano úrsula valentín valentina vera víctor vidal violeta
virgilio xabier xavi ximena yago yasmina zaida zoe
`;

function toSet(...lists: string[]): Set<string> {
  const out = new Set<string>();
  for (const l of lists) for (const w of l.split(/\s+/)) if (w) out.add(fold(w));
  return out;
}

export const FIRST_NAMES: ReadonlySet<string> = toSet(EN, DE, FR, ES, EN_MORE, DE_MORE, FR_MORE, ES_MORE);

/**
 * Given names that are also ordinary words ("holly", "ruby", "penny", "jack", "will", "soledad", "till"): never a
 * name from a single weak signal (a capital at a sentence start or a following verb).
 */
export const AMBIGUOUS_NAMES: ReadonlySet<string> = toSet(`
amber april bill bob brook dean drew faith frank grace grant guy holly hope iris jack jade jay joy june lily lucky mark
max may olive penny ray rich rob robin rose ruby sky skye summer sunny violet will winter sue pat art don gene ivy
luz soledad dolores pilar rosa paloma esperanza amparo consuelo milagros remedios blanca mar sol paz reyes perla
autumn pearl mercy charity hazel fern flora mae dolly chuck earl hank rex misty sierra sterling piper stella rowan
heidi nico nina vera dana angel bella
till jan ida ute kai lotte
violette rose claude olive prudence
`);

/**
 * Words that are never (part of) a person's name in chat, in the four languages: pronouns, articles, prepositions,
 * frequent verbs and adjectives, greetings, and capitalised words that name things (days, months, streets, teams).
 */
export const NOT_NAME: ReadonlySet<string> = toSet(`
i me my mine myself you your yours we us our they them their he him his she her it its this that these those there here
a an the and or but if so as at by for from in into of off on onto out over to up with without about after before
again all also always am any anyone anything are be been being both can cannot could did do does doing done down each
even ever every few get gets getting got had has have having hello hi hey how however just know last least less let like
made make many maybe me more most much must need needs never new next no nobody none nor not nothing now ok okay
once one only other others please same see should since some someone something soon still such sure than thank thanks
thx ty then there thing things think though through too trying try until very want wants was way well were what
when where which while who whom whose why would yes yet yesterday today tomorrow sorry fine good great bad happy
back again yeah yep nope lol sir madam dear team support service customer customers all everyone everybody guys folks
agent bot assistant help admin staff manager store shop order account card number phone email address name surname
monday tuesday wednesday thursday friday saturday sunday january february march april june july august september october
november december street road avenue lane drive close place court way morning afternoon evening night day week month year
calling writing looking wondering checking asking trying hoping waiting going coming having doing getting using
mobile cell home work office landline contact details info information code reference ref refund delivery payment
still already really actually again quick
tschüss tschüs tschau ciao bye goodbye adios adiós bisous bises xoxo zusammen leute allerseits everyone all
english british american german french spanish canadian irish scottish welsh italian european new
deutsch deutsche deutscher französisch englisch spanisch français française anglais anglaise espagnol espagnole allemand
español española inglés inglesa alemán alemana francés francesa
ich du er sie es wir ihr mich mir dich dir uns euch mein meine meinen meinem meiner dein deine sein seine ihr ihre unser
der die das den dem des ein eine einen einem einer und oder aber wenn dass weil mit von zu zum zur im in am an auf aus
bei nach vor über unter für ohne um bis seit ist bin bist sind war waren hat habe haben hatte wird werde kann könnte
möchte will soll muss nicht kein keine noch schon auch nur sehr gern gerne danke bitte hallo tag abend morgen guten
grüße gruß herr frau kunde kundin kundenservice team service support nummer konto name adresse straße hier da dort heute
gestern jetzt leider ja nein doch mal so wie was wer wo wann warum ihnen ihnen sie alle allen
je tu il elle on nous vous ils elles moi toi lui leur le la les un une des du de au aux et ou mais donc car ni que qui
quoi dont où à en dans par pour sur sous avec sans chez est suis es sont était ai as avons avez ont été être avoir
fait faire peux peut veux veut merci bonjour bonsoir salut madame monsieur service client clients équipe numéro compte
nom adresse rue ici là aujourd hui demain hier oui non pas plus très bien bon bonne encore déjà aussi même tout tous
toute toutes ce cet cette ces mon ma mes ton ta tes son sa ses notre votre nos vos leur leurs joignable
yo tú él ella nosotros vosotros ellos ellas usted ustedes me te se nos os le les lo la los las un una unos unas el
y o pero que quien como cuando donde por para con sin sobre entre hasta desde es soy eres somos son era fue estoy está
están he ha han hay tengo tiene quiero puedo puede gracias hola buenas buenos días tardes noches señor señora cliente
equipo servicio número cuenta nombre dirección calle aquí allí hoy mañana ayer sí no muy bien ya también todo todos
mi mis tu tus su sus nuestro nuestra vuestro vuestra este esta estos estas ese esa esos esas localizable
`);

/**
 * Chat words that follow a name but are never part of it ("au nom de Leïla Mansouri svp", "ship to Ana pls").
 */
const CHAT_WORDS = `svp stp pls plz thx thanks asap merci porfa xfa bitte danke gracias ok cheers`;

/**
 * Brands and retailers customers greet or thank like people ("Hi Amazon,", "Thanks, Argos!", "Hola Zara"): a single
 * word from this list is never a name on its own (a following surname still makes "Zara Phillips" a name). Misses:
 * brands not listed; a person whose only name is one of these words, greeted without a surname.
 */
export const BRANDS: ReadonlySet<string> = toSet(`
amazon ebay etsy walmart target costco kroger walgreens bestbuy apple google microsoft samsung sony dell hp lenovo
netflix spotify paypal venmo uber lyft doordash instacart ikea nike adidas zara mango primark tesco sainsburys asda
argos boots currys waitrose ocado morrisons aldi lidl john lewis selfridges harrods next asos boohoo deliveroo
zalando otto mediamarkt saturn rewe edeka dm rossmann kaufland douglas tchibo hornbach obi fnac darty carrefour
auchan leclerc boulanger cdiscount decathlon sephora orange sfr bouygues free laposte sncf mercadona corte ingles
elcorteingles movistar vodafone telefonica iberia renfe correos telekom o2 ee verizon comcast xfinity fedex ups dhl
hermes gls dpd usps royalmail chronopost seur klarna revolut monzo n26 wise trustline
`);

/**
 * Brand and product names made of given names and surnames ("Carolina Herrera", "Hugo Boss", "Marks and Spencer"):
 * a PERSON finding that is exactly one of these is dropped. Misses: brands not listed.
 */
export const BRAND_PHRASES: ReadonlySet<string> = new Set(
  `carolina herrera|jean paul gaultier|hugo boss|marks and spencer|marks & spencer|victoria secret|victoria's secret|
calvin klein|ralph lauren|tommy hilfiger|michael kors|kate spade|tory burch|vera wang|stella mccartney|paul smith|
ted baker|jo malone|jimmy choo|christian dior|yves saint laurent|giorgio armani|jil sander|jette joop|wolfgang joop|
karl lagerfeld|rosa clara|pedro del hierro|adolfo dominguez|agatha ruiz de la prada|isabel marant|john lewis|
dolce gabbana|ben jerry|ben & jerry's|marc jacobs|hermes|estee lauder|louis vuitton|coco chanel|jack wills|
harris tweed|laura ashley|emma bridgewater|cath kidston|charlotte tilbury`
    .split('|')
    .map((x) => fold(x.trim().replace(/\s+/g, ' '))),
);

/**
 * Given names and surnames of many origins from @faker-js/faker's locale data (Latin-script locales only), folded.
 * Weaker than the hand-written list: the person rules use them only in pairs (a given name plus a capitalised
 * word, or any capitalised word plus a listed surname) after a context word, never one word alone.
 */
function fakerNames(): { given: Set<string>; surnames: Set<string> } {
  const given = new Set<string>();
  const surnames = new Set<string>();
  const latin = /^[\p{Script=Latin}][\p{Script=Latin}'’-]{2,}$/u;
  const addAll = (into: Set<string>, v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'string' && latin.test(x)) into.add(fold(x));
    } else if (v && typeof v === 'object') for (const x of Object.values(v)) addAll(into, x);
  };
  for (const def of Object.values(allLocales) as Array<{ person?: { first_name?: unknown; last_name?: unknown } }>) {
    addAll(given, def.person?.first_name);
    addAll(surnames, def.person?.last_name);
  }
  for (const w of [...NOT_NAME, ...CHAT_WORDS.split(' ')]) {
    given.delete(w);
    surnames.delete(w);
  }
  return { given, surnames };
}
const FAKER = fakerNames();
export const MORE_GIVEN_NAMES: ReadonlySet<string> = FAKER.given;
export const SURNAMES: ReadonlySet<string> = FAKER.surnames;
export const CHAT_WORD_SET: ReadonlySet<string> = toSet(CHAT_WORDS);

const foldCache = new Map<string, string>();

/** fold() with an ASCII fast path and a bounded cache: names repeat across messages. */
export function foldWord(word: string): string {
  if (/^[\x00-\x7f]*$/.test(word)) return word.toLowerCase();
  let f = foldCache.get(word);
  if (f === undefined) {
    f = fold(word);
    if (foldCache.size > 5000) foldCache.clear();
    foldCache.set(word, f);
  }
  return f;
}

export function isFirstName(word: string): boolean {
  return FIRST_NAMES.has(fold(word));
}

export function isAmbiguousName(word: string): boolean {
  return AMBIGUOUS_NAMES.has(fold(word));
}

export function isNotName(word: string): boolean {
  return NOT_NAME.has(fold(word));
}
