// The German phrase tables of the built-in generator (data; see generator_text.hpp).
#include "content/generator_text.hpp"

namespace cf::gen_text {

language_text make_german() {
  language_text t;
  t.code = "de";
  // Grundlagen.
  t.arcs.push_back(arc_text{
      {"{topic}: Grundlagen und Überblick", "Erste Orientierung: {topic}",
       "Worum es bei {topic} geht"},
      {"Mit eigenen Worten erklären, worum es bei „{topic}“ geht",
       "Die wichtigsten Gründe nennen, warum das Thema für {audience} wichtig ist",
       "„{topic}“ von verwandten Themen abgrenzen",
       "Ein realistisches persönliches Lernziel für diesen Kurs festlegen"},
      {{"Jede solide Fähigkeit beginnt mit einem klaren Bild des Geländes. Bevor wir uns Methoden "
        "oder Werkzeugen zuwenden, lohnt es sich, das Thema „{topic}“ in einfachen Worten zu "
        "beschreiben: Welches Problem wird gelöst, wer hat damit zu tun, und wie sieht ein gutes "
        "Ergebnis aus? Wer diese drei Fragen beantworten kann, besitzt bereits einen Rahmen, in "
        "den sich jedes spätere Detail einordnen lässt.",
        "Viele stürzen sich sofort in Details und verlieren dabei den Überblick. Wir gehen den "
        "umgekehrten Weg: zuerst das große Bild von „{topic}“, dann die Einzelteile. Betrachten "
        "Sie diese Lektion als Landkarte. Sie zeigt nicht jede Straße, aber sie zeigt, wo die "
        "wichtigen Orte liegen und wie sie zusammenhängen, damit sich später nichts zufällig "
        "anfühlt."},
       {"Hilfreich ist es, beim Thema „{topic}“ drei Ebenen zu unterscheiden: den Zweck (warum "
        "man es tut), die Prinzipien (was in jeder Situation gilt) und die Praxis (was man an "
        "einem konkreten Tag tatsächlich tut). Einsteiger sehen oft nur die Praxis. Erfahrene "
        "wechseln ständig zwischen allen drei Ebenen, und genau das macht sie flexibel, wenn "
        "etwas Unerwartetes passiert.",
        "Es lohnt sich aufzuschreiben, was Sie über „{topic}“ bereits wissen, auch wenn es Ihnen "
        "wenig vorkommt. Die meisten Lernenden stellen fest, dass sie mehr Erfahrung mitbringen "
        "als gedacht: Beobachtungen aus dem Beruf, aus dem Alltag oder aus Gesprächen. Dieses "
        "Vorwissen ist wertvoll, denn neue Ideen bleiben am besten hängen, wenn sie an Bekanntes "
        "anknüpfen."},
       {"Setzen Sie sich zum Schluss ein kleines, konkretes Ziel. „Alles verstehen“ ist kein "
        "Ziel; „die Kernidee von {topic} einer Kollegin in zwei Minuten erklären können“ schon. "
        "Behalten Sie dieses Ziel in den nächsten Lektionen im Blick und prüfen Sie von Zeit zu "
        "Zeit, ob Sie ihm näherkommen.",
        "Notieren Sie zum Abschluss dieser Lektion eine Situation, in der „{topic}“ für Sie einen "
        "echten Unterschied machen würde. Werden Sie konkret: eine Aufgabe, eine Entscheidung "
        "oder ein Gespräch. Wir kommen mehrmals auf diese Situation zurück, und am Ende des Kurses "
        "sollten Sie sie spürbar sicherer meistern."}},
      {{"Was ist der sinnvollste erste Schritt, wenn Sie mit dem Thema „{topic}“ beginnen?",
        "Sich ein klares Gesamtbild verschaffen, bevor man ins Detail geht",
        {"Möglichst viele Fachbegriffe auswendig lernen",
         "Mit den fortgeschrittensten Techniken anfangen",
         "Neue Ideen bewusst nicht mit Vorwissen verknüpfen"},
        "Ein klares Gesamtbild ist ein Rahmen, in den sich spätere Details einordnen lassen; ohne "
        "ihn wirken Details zufällig und werden schnell vergessen."},
       {"Welches ist ein gutes Lernziel für einen Kurs zu „{topic}“?",
        "Die Kernidee in zwei Minuten einer Kollegin erklären können",
        {"Alles über das Thema verstehen", "Den Kurs so schnell wie möglich beenden",
         "Nie einen einzigen Fehler machen"},
        "Gute Ziele sind klein, konkret und überprüfbar. „Alles verstehen“ lässt sich nicht "
        "überprüfen, eine Erklärung in zwei Minuten schon."}},
      {"Orientierung: {topic}", "Das Fundament legen"},
      "Sie gewinnen ein klares Bild davon, worum es bei „{topic}“ geht und warum es wichtig ist."});
  // Kernkonzepte.
  t.arcs.push_back(arc_text{
      {"{topic}: die wichtigsten Konzepte", "Bausteine und Begriffe rund um {topic}",
       "Die Kernideen hinter {topic}"},
      {"Die wichtigsten Fachbegriffe zu „{topic}“ definieren",
       "Beschreiben, wie die Kernkonzepte zusammenhängen",
       "Die Kernkonzepte in einem echten Beispiel wiedererkennen",
       "Beim Sprechen über „{topic}“ die passenden Begriffe verwenden"},
      {{"Jedes Fachgebiet hat eine Handvoll Ideen, die das meiste Gewicht tragen. Beim Thema "
        "„{topic}“ lohnt es sich, diese wenigen Konzepte gründlich zu lernen, statt viele "
        "Begriffe oberflächlich zu sammeln. Sitzt der Kern, erweisen sich die meisten Details als "
        "Variationen von etwas, das Sie bereits verstehen.",
        "Fachvokabular ist kein Selbstzweck, doch gemeinsame Begriffe erleichtern das Lernen und "
        "die Zusammenarbeit erheblich. Wenn Sie mit anderen über „{topic}“ sprechen, verhindern "
        "präzise Wörter Missverständnisse und helfen Ihnen, bessere Fragen zu stellen. Deshalb "
        "bauen wir in dieser Lektion einen kleinen, verlässlichen Wortschatz auf."},
       {"Betrachten Sie die Konzepte nicht als einzelne Definitionen, sondern als System. Fragen "
        "Sie bei jedem: Wovon hängt es ab, und was hängt von ihm ab? Eine einfache Skizze mit "
        "Pfeilen zwischen den Begriffen ist eine erstaunlich wirksame Übung. Lücken im "
        "Verständnis werden sofort sichtbar, denn einen Pfeil, den man nicht erklären kann, kann "
        "man auch nicht zeichnen.",
        "Ein guter Test für jedes Konzept ist der Beispieltest: Können Sie einen konkreten Fall "
        "nennen, in dem es zutrifft, und einen, in dem es nicht zutrifft? Abstrakte Definitionen "
        "sind schnell gelernt und schnell vergessen. Beispiele aus Ihrem eigenen Umfeld machen "
        "sie haltbar und zeigen, wo die Grenzen eines Konzepts liegen."},
       {"Nehmen Sie sich ein paar Minuten Zeit und erklären Sie die Kernideen von „{topic}“ laut, "
        "als würden Sie mit jemandem sprechen, der noch nie davon gehört hat. Überall dort, wo "
        "Sie zögern oder zu vagen Worten greifen, haben Sie eine Stelle gefunden, die eine "
        "Wiederholung lohnt.",
        "Schreiben Sie vor dem Weitergehen ein kurzes Glossar mit fünf bis sieben Begriffen und "
        "je einem Satz dazu. Halten Sie es während des restlichen Kurses griffbereit und "
        "verbessern Sie es, sobald Sie etwas Neues lernen. Am Ende ist das Glossar eine kompakte "
        "Zusammenfassung von „{topic}“ in Ihren eigenen Worten."}},
      {{"Wie prüfen Sie am besten, ob Sie ein Konzept zu „{topic}“ wirklich verstanden haben?",
        "Ein Beispiel nennen, in dem es zutrifft, und eines, in dem nicht",
        {"Die Definition mehrmals lesen", "Die Wörter der Definition zählen",
         "Den Begriff bis zum Kursende meiden"},
        "Der Beispieltest zeigt, ob Sie die Grenzen eines Konzepts kennen. Wiederholtes Lesen "
        "erzeugt nur ein Gefühl von Vertrautheit."},
       {"Warum hilft ein gemeinsamer Wortschatz bei der Arbeit mit „{topic}“?",
        "Er verhindert Missverständnisse und macht Fragen präziser",
        {"Er macht Texte länger und damit überzeugender", "Er macht Beispiele überflüssig",
         "Er ist nur für Prüfungen wichtig"},
        "Mit präzisen Begriffen sprechen alle über dasselbe; das erleichtert Zusammenarbeit und "
        "Lernen."},
       {"Was zeigt eine Skizze der Zusammenhänge zwischen den Konzepten von „{topic}“?",
        "Lücken im Verständnis, wo sich ein Zusammenhang nicht erklären lässt",
        {"Die genaue Zahl der Konzepte im Fachgebiet", "Welche Konzepte man ignorieren kann",
         "Nichts, was nicht auch beim Lesen auffiele"},
        "Wenn Sie einen Pfeil zwischen zwei Begriffen nicht zeichnen oder erklären können, haben "
        "Sie eine Stelle gefunden, die eine Wiederholung lohnt."}},
      {"Den Kern von {topic} verstehen", "Kernideen und Begriffe"},
      "Sie lernen die zentralen Konzepte kennen und sehen, wie sie zusammenpassen."});
  // Praxis.
  t.arcs.push_back(arc_text{
      {"Erste praktische Schritte mit {topic}", "{topic} in der Praxis",
       "Praxisübung: {topic} ausprobieren"},
      {"Eine erste kleine Aufgabe zu „{topic}“ Schritt für Schritt umsetzen",
       "Eine Übungseinheit mit klarem Ziel und Zeitrahmen planen",
       "Das eigene Ergebnis reflektieren und eine konkrete Verbesserung ableiten",
       "Eine größere Aufgabe in kleine, überschaubare Schritte zerlegen"},
      {{"Verständnis wächst am schnellsten durch Tun. In dieser Lektion gehen Sie von der Idee "
        "zur Handlung und probieren „{topic}“ an einer kleinen, überschaubaren Aufgabe aus. "
        "Wählen Sie etwas, das Sie in weniger als einer Stunde abschließen können: Es geht nicht "
        "um ein Meisterwerk, sondern darum, den ganzen Ablauf einmal von Anfang bis Ende zu "
        "erleben.",
        "Übung muss nicht perfekt sein, um nützlich zu sein. Entscheidend ist, dass Sie es "
        "versuchen, das Ergebnis beobachten und nachjustieren. Diese Lektion führt Sie durch eine "
        "erste praktische Runde mit „{topic}“, bewusst klein gehalten, damit Sie sich auf den "
        "Ablauf konzentrieren können statt auf das Ergebnis."},
       {"Arbeiten Sie in kurzen Zyklen: einen Schritt planen, ihn ausführen, das Ergebnis "
        "ansehen. Halten Sie in ein, zwei Sätzen fest, was funktioniert hat und was Sie "
        "überrascht hat. Diese Notizen wirken unscheinbar, sind aber das Rohmaterial für echte "
        "Verbesserung, weil sie Muster zeigen, die Sie sonst am nächsten Tag vergessen hätten.",
        "Zerlegen Sie die Aufgabe in Schritte, die jeweils nur wenige Minuten dauern. Kleine "
        "Schritte haben zwei Vorteile: Sie bemerken Fehler früh, solange sie noch leicht zu "
        "beheben sind, und Sie erleben regelmäßig kleine Erfolge, die motivieren. Wirkt ein "
        "Schritt noch zu groß, teilen Sie ihn erneut."},
       {"Vergleichen Sie nach dem ersten Versuch das Ergebnis mit Ihrem Ziel aus der ersten "
        "Lektion. Was funktioniert schon? Welche einzelne Änderung würde die größte Verbesserung "
        "bringen? Konzentrieren Sie sich in der nächsten Übungsrunde genau auf diese eine "
        "Änderung, statt alles auf einmal zu korrigieren.",
        "Wiederholen Sie die Übung einige Tage später mit einer leicht veränderten Aufgabe. "
        "Wiederholung mit Variation macht aus einem ersten Erfolg eine verlässliche Fähigkeit. "
        "Sie werden merken, dass Schritte, die beim ersten Mal Ihre volle Aufmerksamkeit "
        "brauchten, bereits flüssiger laufen."}},
      {{"Wie sollte eine erste Übungsaufgabe zu „{topic}“ gewählt werden?",
        "So klein, dass der ganze Ablauf in unter einer Stunde gelingt",
        {"So groß und ehrgeizig wie möglich", "So, dass garantiert nichts schiefgehen kann",
         "Erst nachdem man alle verfügbaren Bücher gelesen hat"},
        "Eine kleine Aufgabe lässt Sie den ganzen Ablauf einmal vollständig erleben; das lehrt "
        "mehr als ein halb fertiges Großprojekt."},
       {"Was ist der wichtigste Vorteil, eine Übungsaufgabe in kleine Schritte zu zerlegen?",
        "Fehler zeigen sich früh, solange sie noch leicht zu beheben sind",
        {"Die Aufgabe dauert länger und wirkt dadurch ernsthafter",
         "Man muss die Ergebnisse nicht mehr prüfen", "Die Aufgabe sieht beeindruckender aus"},
        "Kleine Schritte geben schnelle Rückmeldung, sodass Fehler früh auffallen, und "
        "regelmäßige Erfolge halten die Motivation hoch."},
       {"Worauf sollten Sie sich nach einer ersten Übungsrunde mit „{topic}“ konzentrieren?",
        "Auf die eine Änderung, die die größte Verbesserung bringt",
        {"Auf alle Schwächen gleichzeitig", "Auf dieselbe Aufgabe ohne jede Änderung",
         "Auf ein völlig anderes Thema"},
        "Wer sich auf eine Änderung nach der anderen konzentriert, macht Fortschritt sichtbar und "
        "vermeidet Überforderung."}},
      {"{topic} in Aktion", "Lernen durch Tun"},
      "Sie gehen von der Idee zur Handlung und üben in kleinen, überschaubaren Schritten."});
  // Typische Fehler.
  t.arcs.push_back(arc_text{
      {"Typische Fehler bei {topic} vermeiden", "Stolpersteine bei {topic}",
       "Aus Fehlern lernen: {topic}"},
      {"Die häufigsten Fehler beim Thema „{topic}“ erkennen",
       "Erklären, warum diese Fehler entstehen",
       "Mit einer einfachen Checkliste typische Fehler vermeiden",
       "Eigene Fehler als nützliche Rückmeldung nutzen"},
      {{"Fehler gehören zum Lernen, aber niemand muss die Fehler aller anderen wiederholen. "
        "Manche Fehler beim Thema „{topic}“ treten so häufig auf, dass sie fast vorhersehbar "
        "sind. Sie im Voraus zu kennen, ist wie eine Karte, auf der die Schlaglöcher markiert "
        "sind: Fahren müssen Sie selbst, aber Sie können die schlimmsten Stellen umfahren.",
        "Erfahrene Praktikerinnen und Praktiker machen durchaus Fehler. Sie erkennen sie aber "
        "früh und wissen, wie man sie korrigiert. In dieser Lektion sehen wir uns die typischen "
        "Fallen bei „{topic}“ an, damit Sie sie in Ihrer eigenen Arbeit bemerken, bevor sie teuer "
        "werden."},
       {"Der häufigste Fehler ist Eile: Man überspringt die Grundlagen, weil sie "
        "selbstverständlich "
        "scheinen, und wundert sich dann über unzuverlässige Ergebnisse. Der zweite ist, zu viel "
        "auf einmal zu wollen. Der dritte ist, ohne Rückmeldung zu arbeiten, sodass Fehler lange "
        "unbemerkt bleiben. Für alle drei gilt dasselbe Gegenmittel: langsamer werden, kleinere "
        "Schritte gehen und Ergebnisse regelmäßig prüfen.",
        "Viele Fehler entstehen aus ungeprüften Annahmen. Jemand glaubt, eine Methode funktioniere "
        "in jeder Situation, oder übernimmt eine Lösung, ohne zu verstehen, warum sie anderswo "
        "funktioniert hat. Eine gute Gewohnheit ist die Frage „Unter welchen Bedingungen wäre "
        "das falsch?“, bevor Sie sich auf eine Faustregel zu „{topic}“ verlassen."},
       {"Erstellen Sie eine kurze persönliche Checkliste mit drei bis fünf Punkten, die genau die "
        "Fehler abdecken, die Ihnen am ehesten unterlaufen, und nutzen Sie sie, bevor Sie eine "
        "Aufgabe abschließen. Checklisten wirken schlicht, doch Fachleute in vielen Bereichen "
        "verlassen sich gerade deshalb auf sie, weil sie Fehler finden, die Aufmerksamkeit allein "
        "übersieht.",
        "Wenn Ihnen ein Fehler unterläuft, betrachten Sie ihn als Information und nicht als "
        "Scheitern. Schreiben Sie auf, was passiert ist, warum es passiert ist und was Sie beim "
        "nächsten Mal anders machen. Nach einigen Wochen werden diese Notizen zu einem wertvollen "
        "Protokoll, das zeigt, wie weit Sie gekommen sind."}},
      {{"Welche Gewohnheit verhindert die häufigsten Fehler bei „{topic}“ am besten?",
        "In kleineren Schritten arbeiten und Ergebnisse regelmäßig prüfen",
        {"Schneller arbeiten, damit Fehler weniger Zeit haben",
         "Die Grundlagen überspringen, weil sie selbstverständlich sind",
         "Rückmeldungen erst nach Abschluss der Arbeit einholen"},
        "Eile, zu viel auf einmal und fehlende Rückmeldung verursachen die meisten Fehler; kleine "
        "Schritte mit regelmäßiger Prüfung helfen gegen alle drei."},
       {"Wie sollten Sie mit einem eigenen Fehler beim Thema „{topic}“ umgehen?",
        "Als Information: festhalten, was passiert ist, warum, und was sich ändern soll",
        {"Als Beweis, dass das Thema nichts für Sie ist",
         "Als etwas, das man schnell vergessen sollte", "Als Verantwortung anderer"},
        "Schriftlich ausgewertete Fehler werden zu einem Protokoll des Fortschritts und "
        "verhindern, dass sie sich wiederholen."},
       {"Warum nutzen Fachleute in vielen Bereichen kurze Checklisten?",
        "Sie finden Fehler, die Aufmerksamkeit allein übersieht",
        {"Sie ersetzen Fachwissen", "Sie verlangsamen die Arbeit absichtlich",
         "Sie sind in jedem Bereich gesetzlich vorgeschrieben"},
        "Auch Erfahrene übersehen unter Druck etwas; eine Checkliste ist ein günstiges und "
        "verlässliches Sicherheitsnetz."}},
      {"Stolpersteine erkennen", "Aus Fehlern lernen"},
      "Sie lernen, typische Fehler früh zu erkennen und zu vermeiden."});
  // Anwenden.
  t.arcs.push_back(arc_text{
      {"{topic} im eigenen Umfeld anwenden", "{topic} für die eigene Arbeit nutzen",
       "Vom Wissen zur Wirkung: {topic}"},
      {"Das Gelernte zu „{topic}“ auf eine eigene Situation übertragen",
       "Allgemeine Methoden an die eigenen Bedingungen anpassen",
       "Einen konkreten Plan für die nächste Anwendung erstellen",
       "Das eigene Vorgehen anderen erklären und Unterstützung gewinnen"},
      {{"Wissen wird erst wertvoll, wenn es Ihr Handeln verändert. In dieser Lektion übertragen "
        "Sie, was Sie über „{topic}“ gelernt haben, auf eine echte Situation aus Ihrem Umfeld. "
        "Greifen Sie die Situation auf, die Sie zu Beginn des Kurses notiert haben: Jetzt ist der "
        "Moment, sie anzugehen.",
        "Allgemeine Ratschläge müssen immer in konkrete Umstände übersetzt werden. Was für ein "
        "Team, ein Unternehmen oder eine Person funktioniert, braucht anderswo vielleicht "
        "Anpassungen. Um diese Übersetzung geht es hier: Wie passt „{topic}“ zu den Bedingungen, "
        "unter denen Sie tatsächlich arbeiten?"},
       {"Beschreiben Sie zuerst Ihre Situation genau: Was ist das Ziel, welche Mittel haben Sie, "
        "welche Einschränkungen müssen Sie beachten? Wählen Sie dann die Methoden aus den "
        "vorherigen Lektionen, die am besten passen. Es ist völlig in Ordnung, nur einen Teil des "
        "Gelernten zu nutzen, solange Sie es bewusst tun.",
        "Beziehen Sie die Betroffenen früh ein. Wer seinen Plan jemand anderem erklärt, muss ihn "
        "klar formulieren, und die Rückfragen decken oft Schwächen auf, die man selbst übersehen "
        "hätte. Außerdem unterstützen Menschen eine Veränderung bereitwilliger, wenn man sie "
        "vorher nach ihrer Meinung gefragt hat."},
       {"Schreiben Sie einen konkreten Plan für die nächsten zwei Wochen auf: ein oder zwei "
        "Maßnahmen, ein Datum für jede und ein Kriterium, an dem Sie den Erfolg erkennen. Kleine, "
        "konkrete Vorhaben werden weit häufiger umgesetzt als ehrgeizige Absichten.",
        "Rechnen Sie damit, dass die erste Anwendung nicht perfekt gelingt, und planen Sie "
        "danach einen kurzen Rückblick ein. Was lief wie erwartet, was nicht, und was ändern Sie? "
        "Genau dieser Kreislauf aus Anwenden und Auswerten macht „{topic}“ zu einem Teil Ihres "
        "Alltags."}},
      {{"Was sollten Sie zuerst tun, wenn Sie „{topic}“ auf Ihre eigene Situation anwenden?",
        "Ziel, Mittel und Einschränkungen genau beschreiben",
        {"Eine fremde Lösung unverändert übernehmen",
         "Alle Methoden des Kurses gleichzeitig anwenden",
         "Warten, bis die Bedingungen perfekt "
         "sind"},
        "Erst eine klare Beschreibung der eigenen Situation erlaubt es, die wirklich passenden "
        "Methoden auszuwählen."},
       {"Warum ist es sinnvoll, die Betroffenen früh einzubeziehen?",
        "Ihre Fragen decken Schwächen auf, und sie unterstützen die Veränderung eher",
        {"Damit sie die Arbeit für Sie erledigen",
         "Weil jeder Plan von allen genehmigt werden muss",
         "Es ist nicht sinnvoll, es verzögert nur alles"},
        "Das Erklären schärft den Plan, und wer gefragt wurde, trägt das Ergebnis eher mit."},
       {"Welcher Plan wird am wahrscheinlichsten umgesetzt?",
        "Ein oder zwei konkrete Maßnahmen mit Datum und Erfolgskriterium",
        {"Eine lange Liste ehrgeiziger Vorsätze", "Ein Plan, der nur im Kopf existiert",
         "Ein Plan ohne jede Frist"},
        "Kleine, konkrete Vorhaben mit Datum und Erfolgskriterium werden weit häufiger "
        "umgesetzt."}},
      {"{topic} zu Ihrem Eigenen machen", "Vom Wissen zur Praxis"},
      "Sie übertragen das Gelernte auf Ihre eigene Situation."});
  // Rückblick.
  t.arcs.push_back(arc_text{
      {"Rückblick und nächste Schritte: {topic}", "Alles zusammenführen: {topic}",
       "Ihr weiterer Weg mit {topic}"},
      {"Die Kernaussagen des Kurses zu „{topic}“ zusammenfassen",
       "Den eigenen Fortschritt am Lernziel vom Anfang messen",
       "Passende nächste Schritte für das Weiterlernen auswählen",
       "Eine Routine aufbauen, die das Wissen frisch hält"},
      {{"Zeit für einen Rückblick. Gehen Sie die bisherigen Lektionen durch und notieren Sie aus "
        "jeder die eine wichtigste Idee. Diese Zusammenfassung ist mehr als eine "
        "Wiederholungsübung: Ideen in eigene Worte zu fassen, ist einer der wirksamsten Wege, sie "
        "im Langzeitgedächtnis zu verankern.",
        "Am Ende eines Kurses ist die Versuchung groß, sofort weiterzumachen. Widerstehen Sie ihr "
        "für einen Moment. Ein kurzer, strukturierter Rückblick auf das, was Sie über „{topic}“ "
        "gelernt haben, entscheidet darüber, ob das Wissen in wenigen Wochen verblasst oder Ihnen "
        "noch in Monaten zur Verfügung steht."},
       {"Vergleichen Sie Ihren heutigen Stand mit dem Ziel, das Sie sich zu Beginn gesetzt haben. "
        "Seien Sie ehrlich und konkret: Was können Sie heute, was Sie vorher nicht konnten? Wo "
        "fühlen Sie sich noch unsicher? Beide Antworten sind wertvoll, weil sie zeigen, worauf Sie "
        "sich als Nächstes konzentrieren sollten.",
        "Lernen endet nicht mit der letzten Lektion. Bestimmen Sie einen Bereich von „{topic}“, "
        "den Sie vertiefen möchten, und ein praktisches Projekt, in dem Sie ihn anwenden können. "
        "Ein konkretes Projekt ist der beste Lehrer, weil es Sie mit echten Fragen statt mit "
        "Lehrbuchbeispielen konfrontiert."},
       {"Bauen Sie sich schließlich eine kleine Routine auf: ein regelmäßiges, kurzes Zeitfenster, "
        "in dem Sie zu „{topic}“ üben, lesen oder nachdenken. Fünfzehn Minuten pro Woche, über "
        "Monate beibehalten, bringen mehr als ein einzelnes intensives Wochenende. Beständigkeit "
        "macht aus einem Kurs dauerhafte Kompetenz.",
        "Überlegen Sie, das Gelernte mit anderen zu teilen, etwa indem Sie es einer Kollegin "
        "erklären oder eine kurze Zusammenfassung schreiben. Lehren ist eine starke Form des "
        "Lernens und öffnet oft Gespräche, aus denen neue Ideen und Möglichkeiten entstehen."}},
      {{"Was macht einen Rückblick am Ende eines Kurses zu „{topic}“ wirksam?",
        "Die Kernidee jeder Lektion in eigenen Worten aufschreiben",
        {"Alle Lektionen in einem Zug überfliegen", "Ihn überspringen und sofort weitermachen",
         "Die Titel der Lektionen auswendig lernen"},
        "Ideen in eigene Worte zu fassen, verankert sie viel besser im Langzeitgedächtnis als "
        "passives Wiederlesen."},
       {"Welche Routine hält Ihr Wissen zu „{topic}“ am besten frisch?",
        "Ein kurzes, regelmäßiges Zeitfenster über Monate hinweg",
        {"Ein intensives Wochenende pro Jahr", "Warten, bis man es dringend braucht",
         "Denselben Kurs sofort noch einmal belegen"},
        "Beständigkeit schlägt Intensität: Kurze, regelmäßige Übung hält Wissen verfügbar."}},
      {"Festigen und Ausblick", "Abschluss: {topic}"},
      "Sie festigen Ihr Wissen und planen Ihre nächsten Schritte."});

  t.intros = {
      "Willkommen zu Lektion {n}, „{lesson}“. Diese Lektion gehört zum Kurs über „{topic}“ für "
      "{audience}. Sie knüpft an Ihr bisheriges Wissen an und ergänzt das nächste Stück des "
      "Gesamtbilds.",
      "In dieser Lektion, „{lesson}“, gehen wir den nächsten Schritt im Kurs zu „{topic}“. Lesen "
      "Sie in Ihrem eigenen Tempo, halten Sie inne, wenn Ihnen ein Gedanke kommt, und notieren "
      "Sie Fragen, sobald sie auftauchen.",
      "Lektion {n}, „{lesson}“, widmet sich einem Aspekt von „{topic}“, der in der Praxis einen "
      "großen Unterschied macht. Nehmen Sie sich etwa {minutes} Minuten Zeit und legen Sie Papier "
      "und Stift bereit."};
  t.deepening_intros = {
      "Diese Lektion greift ein Thema aus dem bisherigen Kurs wieder auf und geht tiefer. Die "
      "Grundlagen kennen Sie bereits; jetzt geht es darum, sie sicherer und in vielfältigeren "
      "Situationen anzuwenden.",
      "Wir kehren hier zu einem vertrauten Thema zurück, diesmal mit mehr Erfahrung im Rücken. "
      "Achten Sie darauf, was Ihnen jetzt auffällt, das Sie beim ersten Mal übersehen haben: "
      "Dieser Unterschied ist Ihr Fortschritt."};
  t.deepening_title = "{title}: Vertiefung";
  t.part_title = "{title} (Teil {n})";
  t.brief =
      "Die Kursbeschreibung setzt den Schwerpunkt: „{description}“ Behalten Sie ihn beim "
      "Durcharbeiten der Lektionen im Blick.";
  t.audience_notes = {
      "Weil sich dieser Kurs an {audience} richtet, sind die Beispiele so gewählt, dass sie zu "
      "Situationen passen, denen Sie wahrscheinlich begegnen. Passt ein Beispiel nicht genau, "
      "übersetzen Sie es kurz: Wie sähe das Gegenstück in Ihrer eigenen Arbeit oder in Ihrem "
      "Alltag aus?",
      "Dieser Kurs richtet sich an {audience}. Ganz gleich, wo Sie starten: Verbinden Sie jede "
      "Idee mit einer konkreten Situation, die Sie kennen. Genau das macht den Unterschied "
      "zwischen dem Lesen über „{topic}“ und echtem Lernen.",
      "Wer aus unterschiedlichen Richtungen zum Thema „{topic}“ kommt, bringt unterschiedliche "
      "Fragen mit. Fragen Sie sich als Teil der Zielgruppe ({audience}) nach jedem Absatz: Wo "
      "würde ich das einsetzen, und was müsste ich anpassen?"};
  t.closings = {
      "In der nächsten Lektion, „{next}“, bauen wir direkt darauf auf. Nehmen Sie sich vorher "
      "fünf Minuten und notieren Sie die eine Idee aus dieser Lektion, die Sie unbedingt behalten "
      "möchten.",
      "Als Nächstes folgt „{next}“. Gönnen Sie sich vorher eine kurze Pause: Ein wenig Abstand "
      "hilft neuen Ideen, sich zu setzen.",
      "Halten Sie Ihre Notizen zu dieser Lektion bereit, denn „{next}“ setzt genau dort an, wo "
      "wir hier aufhören."};
  t.final_closings = {
      "Dies war die letzte Lektion des Kurses. Halten Sie kurz inne und würdigen Sie, wie weit "
      "Sie gekommen sind. Wählen Sie dann den ersten kleinen Schritt, den Sie diese Woche mit "
      "„{topic}“ gehen.",
      "Mit dieser Lektion ist der Kurs abgeschlossen. Bewahren Sie Ihre Notizen gut auf: Sie sind "
      "jetzt Ihr persönliches Handbuch zu „{topic}“."};
  t.module_lessons = "In diesem Modul: {lessons}.";
  t.and_word = "und";
  t.open_quote = "„";
  t.close_quote = "“";
  t.fallback_audience = "Interessierte";
  t.fallback_topic = "dieses Thema";
  t.headlines = {"{topic} Schritt für Schritt lernen", "{topic}: ein Praxiskurs für {audience}",
                 "Das Wesentliche zu {topic} verstehen"};
  t.value_propositions = {
      "{count} führen Sie von den Grundlagen zu „{topic}“ bis zur sicheren Anwendung. Jede "
      "Lektion verbindet klare Erklärungen mit konkreten Übungen, und ein kurzes Quiz hilft "
      "Ihnen, Ihren Fortschritt zu prüfen.",
      "Dieser Kurs erklärt „{topic}“ in verständlicher Sprache und richtet sich an {audience}. "
      "Sie lernen, worauf es ankommt, üben es an echten Aufgaben und gehen mit einem klaren Plan "
      "für "
      "die nächsten Schritte hinaus."};
  t.one_lesson = "eine kompakte Lektion";
  t.many_lessons = "{n} kompakte Lektionen";
  t.for_whom = {"{a}, die einen strukturierten Einstieg in das Thema „{topic}“ suchen",
                "{a}, die das Thema „{topic}“ praxisnah lernen möchten"};
  t.not_for_whom = {"Fachleute, die aktuelle Forschung zu „{topic}“ suchen",
                    "Alle, die eine schnelle Lösung ohne eigenes Üben erwarten",
                    "Personen, die ein formales Zertifikat benötigen",
                    "Leserinnen und Leser, die reine Theorie ohne Übungen bevorzugen"};
  return t;
}

} // namespace cf::gen_text
