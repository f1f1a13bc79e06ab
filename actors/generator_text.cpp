// Phrase tables of the built-in generator: the English and German texts it assembles courses from.
#include "actors/generator_text.hpp"

namespace cf::gen_text {
namespace {

language_text make_english() {
  language_text t;
  t.code = "en";
  // Foundations.
  t.arcs.push_back(arc_text{
      {"Foundations of {topic}", "Getting started with {topic}",
       "{topic}: what it is and why it matters"},
      {"Explain in your own words what {topic} is about",
       "Name the main reasons why {topic} matters for {audience}",
       "Distinguish {topic} from related topics it is often confused with",
       "Set a realistic personal goal for this course"},
      {{"Every solid skill starts with a clear picture of the territory. Before we look at methods "
        "or tools, it helps to describe {topic} in plain words: what problem does it solve, who "
        "deals with it, and what does a good result look like? If you can answer these three "
        "questions, you already have a frame into which every later detail can be sorted.",
        "Many people jump straight into details and get lost. We take the opposite route: first "
        "the big picture of {topic}, then the parts. Think of this lesson as a map. It will not "
        "show every street, but it shows where the important places are and how they connect, so "
        "that nothing you learn later feels random."},
       {"A useful way to approach {topic} is to separate three layers: the purpose (why you do "
        "it), the principles (what stays true in every situation) and the practices (what you "
        "actually do on a given day). Beginners often see only the practices. Experienced people "
        "switch between all three layers, and that is what keeps them flexible when something "
        "unexpected happens.",
        "It is worth writing down what you already know about {topic}, even if it feels like very "
        "little. Most learners discover that they bring more experience than they thought: "
        "observations from work, from everyday life or from conversations. This prior knowledge "
        "is valuable, because new ideas stick best when they can attach to something familiar."},
       {"Finally, set yourself a small, concrete goal. \u201cUnderstand everything\u201d is not a "
        "goal; \u201cbe able to explain the core idea of {topic} to a colleague in two "
        "minutes\u201d is. Keep this goal in view during the next lessons and check from time to "
        "time whether you are getting closer.",
        "To end this lesson, note one situation in which {topic} would make a real difference for "
        "you. Be specific: a task, a decision or a conversation. We will come back to this "
        "situation several times, and by the end of the course you should be able to handle it "
        "with noticeably more confidence."}},
      {{"What is the most useful first step when you start learning {topic}?",
        "Build a clear overall picture before going into details",
        {"Memorise as many technical terms as possible", "Start with the most advanced techniques",
         "Avoid connecting new ideas to what you already know"},
        "A clear overall picture is a frame into which later details can be sorted; without it, "
        "details feel random and are quickly forgotten."},
       {"Which of these is a good learning goal for a course on {topic}?",
        "Being able to explain the core idea to a colleague in two minutes",
        {"Understanding everything about the subject", "Finishing the course as fast as possible",
         "Never making a single mistake"},
        "Good goals are small, concrete and checkable. \u201cUnderstand everything\u201d cannot be "
        "checked; a two-minute explanation can."}},
      {"Getting oriented in {topic}", "Laying the groundwork"},
      "You build a clear picture of what {topic} is and why it matters."});
  // Core concepts.
  t.arcs.push_back(arc_text{
      {"Key concepts of {topic}", "The building blocks of {topic}",
       "How {topic} works: the core ideas"},
      {"Define the most important terms used in {topic}",
       "Describe how the core concepts of {topic} relate to each other",
       "Recognise the core concepts in a real example",
       "Use precise vocabulary when you talk about {topic}"},
      {{"Every field has a handful of ideas that carry most of the weight. In {topic} it pays to "
        "learn these few concepts thoroughly instead of collecting many terms superficially. Once "
        "the core is solid, most details turn out to be variations of something you already "
        "understand.",
        "Vocabulary is not an end in itself, but shared terms make learning and collaboration much "
        "easier. When you talk about {topic} with others, precise words prevent misunderstandings "
        "and help you ask better questions. In this lesson we therefore build a small, reliable "
        "vocabulary."},
       {"Look at the concepts not as isolated definitions but as a system. Ask for each one: what "
        "does it depend on, and what depends on it? Drawing a simple sketch with arrows between "
        "the terms is a surprisingly effective exercise. Gaps in your understanding become "
        "visible at once, because you cannot draw an arrow you cannot explain.",
        "A good test for every concept is the example test: can you name a concrete case where it "
        "applies and one where it does not? Abstract definitions are easy to memorise and easy to "
        "forget. Examples from your own surroundings make them durable and show you where the "
        "boundaries of a concept lie."},
       {"Take a few minutes to explain the core ideas of {topic} out loud, as if to someone who "
        "has never heard of them. Wherever you hesitate or reach for vague words, you have found a "
        "spot worth revisiting. This short exercise is one of the most reliable ways to turn "
        "reading into understanding.",
        "Before moving on, write a short glossary with five to seven terms and one sentence each. "
        "Keep it close while you work through the rest of the course and refine it whenever you "
        "learn something new. By the end, the glossary will be a compact summary of {topic} in "
        "your own words."}},
      {{"What is an effective way to check whether you really understand a concept of {topic}?",
        "Name one example where it applies and one where it does not",
        {"Read its definition several times", "Count the words in its definition",
         "Avoid using the term until the end of the course"},
        "The example test shows whether you know the boundaries of a concept. Re-reading a "
        "definition only creates a feeling of familiarity."},
       {"Why does a shared vocabulary help when working on {topic}?",
        "It prevents misunderstandings and makes questions more precise",
        {"It makes texts longer and therefore more convincing", "It removes the need for examples",
         "It only matters for exams"},
        "Precise terms let everyone talk about the same thing, which makes collaboration and "
        "learning easier."},
       {"What does a sketch of how the concepts of {topic} relate to each other reveal?",
        "Gaps in your understanding, where you cannot explain a connection",
        {"The exact number of concepts in the field", "Which concepts you can safely ignore",
         "Nothing that reading would not show as well"},
        "If you cannot draw or explain an arrow between two terms, you have found a spot worth "
        "revisiting."}},
      {"Understanding the core of {topic}", "Core ideas and vocabulary"},
      "You learn the central concepts and how they fit together."});
  // Practice.
  t.arcs.push_back(arc_text{
      {"{topic} in practice: first steps", "Hands-on practice with {topic}",
       "Putting {topic} into practice"},
      {"Carry out a first small task with {topic} step by step",
       "Plan a practice session with a clear goal and a time limit",
       "Reflect on your result and identify one concrete improvement",
       "Break a larger task into small, manageable steps"},
      {{"Understanding grows fastest through doing. In this lesson you move from ideas to action "
        "and try {topic} on a small, manageable task. Choose something you can finish in under an "
        "hour: the point is not to produce a masterpiece, but to experience the whole process "
        "once from beginning to end.",
        "Practice does not have to be perfect to be useful. What matters is that you try, observe "
        "the result and adjust. This lesson guides you through a first practical round with "
        "{topic}, deliberately small so that you can concentrate on the process instead of "
        "worrying about the outcome."},
       {"Work in short cycles: plan a step, do it, look at what happened. Write down in one or two "
        "sentences what worked and what surprised you. These notes may seem trivial, but they are "
        "the raw material for real improvement, because they reveal patterns you would otherwise "
        "have forgotten by the next day.",
        "Break the task into steps that each take only a few minutes. Small steps have two "
        "advantages: you notice mistakes early, while they are still cheap to fix, and you get "
        "regular moments of success that keep you motivated. If a step still feels too big, split "
        "it again."},
       {"After your first attempt, compare the result with your goal from the first lesson. What "
        "is already working? Which single change would bring the biggest improvement? Focus on "
        "exactly this one change in your next practice round instead of trying to fix everything "
        "at once.",
        "Repeat the exercise a few days later with a slightly different task. Repetition with "
        "variation is what turns a first success into a reliable skill. You will notice that "
        "steps which needed your full attention the first time already run more smoothly."}},
      {{"How should you choose a first practice task in {topic}?",
        "Small enough to finish the whole process in under an hour",
        {"As large and ambitious as possible", "So that nothing can possibly go wrong",
         "Only after reading every available book"},
        "A small task lets you experience the whole process once from start to finish, which "
        "teaches more than a half-finished large project."},
       {"What is the main benefit of splitting a practice task into small steps?",
        "Mistakes show up early, while they are still cheap to fix",
        {"The task takes longer and therefore feels more serious",
         "You no longer need to check the results", "The task looks more impressive"},
        "Small steps give quick feedback, so errors are caught early, and regular successes keep "
        "you motivated."},
       {"After a first practice round with {topic}, what should you focus on next?",
        "The single change that brings the biggest improvement",
        {"Fixing every weakness at the same time", "Repeating the same task without any change",
         "Starting a completely unrelated topic"},
        "Concentrating on one change at a time makes progress visible and avoids overload."}},
      {"{topic} in action", "Learning by doing"},
      "You move from ideas to action and practise in small, manageable steps."});
  // Common mistakes.
  t.arcs.push_back(arc_text{
      {"Common mistakes with {topic} and how to avoid them", "Pitfalls in {topic}",
       "Learning from typical errors in {topic}"},
      {"Recognise the most frequent mistakes people make with {topic}",
       "Explain why these mistakes happen", "Use a simple checklist to avoid typical errors",
       "Treat your own mistakes as useful feedback"},
      {{"Mistakes are part of learning, but there is no need to repeat everyone else's. Some "
        "errors in {topic} occur so often that they are almost predictable. Knowing them in "
        "advance is like having a map with the potholes marked: you still have to drive yourself, "
        "but you can steer around the worst spots.",
        "Experienced practitioners are not people who never make mistakes. They are people who "
        "recognise mistakes early and know how to correct them. In this lesson we look at the "
        "typical traps in {topic}, so that you can spot them in your own work before they become "
        "costly."},
       {"The most common mistake is rushing: skipping the basics because they seem obvious, and "
        "then wondering why the results are unreliable. The second is trying to do too much at "
        "once. The third is working without feedback, so that errors go unnoticed for a long "
        "time. All three have the same remedy: slow down, take smaller steps and check your "
        "results regularly.",
        "Many mistakes come from unexamined assumptions. Someone believes a method works in every "
        "situation, or copies a solution without understanding why it worked elsewhere. A good "
        "habit is to ask \u201cunder which conditions would this be wrong?\u201d before you rely "
        "on any rule of thumb in {topic}."},
       {"Create a short personal checklist with three to five points that address the errors you "
        "are most likely to make, and use it before you finish a task. Checklists feel simple, "
        "but professionals in many fields rely on them precisely because they catch mistakes "
        "that attention alone misses.",
        "When you do make a mistake, treat it as information rather than failure. Write down what "
        "happened, why it happened and what you will do differently next time. Over a few weeks "
        "these notes become a valuable record that shows how far you have come."}},
      {{"Which habit best prevents the most common mistakes in {topic}?",
        "Working in smaller steps and checking results regularly",
        {"Working faster so that mistakes have less time to happen",
         "Skipping the basics because they are obvious",
         "Avoiding feedback until the work is finished"},
        "Rushing, doing too much at once and missing feedback cause most errors; small steps with "
        "regular checks address all three."},
       {"How should you treat a mistake you made while working on {topic}?",
        "As information: note what happened, why, and what to change",
        {"As proof that the topic is not for you", "As something to forget as quickly as possible",
         "As someone else's responsibility"},
        "Mistakes analysed in writing become a record of progress and keep you from repeating "
        "them."},
       {"Why do professionals in many fields use short checklists?",
        "They catch mistakes that attention alone misses",
        {"They replace the need for expertise", "They deliberately slow the work down",
         "They are required by law in every field"},
        "Even experienced people overlook things under pressure; a checklist is a cheap and "
        "reliable safety net."}},
      {"Avoiding the pitfalls of {topic}", "Learning from mistakes"},
      "You learn to recognise typical errors early and to avoid them."});
  // Applying it.
  t.arcs.push_back(arc_text{
      {"Applying {topic} in your own context", "Making {topic} work for you",
       "From knowledge to impact: using {topic}"},
      {"Transfer what you have learned about {topic} to a situation of your own",
       "Adapt general methods to your specific conditions",
       "Create a concrete plan for your next application",
       "Explain your approach to others and win their support"},
      {{"Knowledge only becomes valuable when it changes what you do. In this lesson you take "
        "what you have learned about {topic} and apply it to a real situation from your own "
        "environment. Go back to the situation you noted at the beginning of the course: now is "
        "the moment to tackle it.",
        "General advice always has to be translated into specific circumstances. What works for "
        "one team, one company or one person may need adjustments elsewhere. This lesson is about "
        "that translation: how do you make {topic} fit the conditions you actually work in?"},
       {"Start by describing your situation precisely: what is the goal, what resources do you "
        "have, what constraints must you respect? Then choose the methods from the previous "
        "lessons that fit best. It is perfectly fine to use only part of what you learned, as "
        "long as you use it deliberately.",
        "Involve the people affected early. Explaining your plan to someone else forces you to "
        "make it clear, and their questions often reveal weaknesses you would not have noticed. "
        "In addition, people support a change more readily when they have been asked for their "
        "opinion."},
       {"Write down a concrete plan for the next two weeks: one or two actions, a date for each "
        "and a way to recognise whether it worked. Small, specific commitments are far more "
        "likely to be carried out than ambitious intentions.",
        "Expect the first application to be imperfect and plan a short review afterwards. What "
        "went as expected, what did not, and what will you change? This loop of applying and "
        "reviewing is exactly how {topic} becomes part of your everyday routine."}},
      {{"What should you do first when applying {topic} to your own situation?",
        "Describe the goal, the resources and the constraints precisely",
        {"Copy a solution from elsewhere without changes",
         "Apply every method from the course at once", "Wait until conditions are perfect"},
        "Only a clear description of your situation lets you choose the methods that actually "
        "fit."},
       {"Why is it useful to involve the people affected early?",
        "Their questions reveal weaknesses, and they support the change more readily",
        {"So that they can do the work for you", "Because every plan needs everyone's approval",
         "It is not useful; it only slows things down"},
        "Explaining a plan sharpens it, and people who were asked are more likely to support the "
        "result."},
       {"Which plan is most likely to be carried out?",
        "One or two concrete actions with dates and a way to check success",
        {"A long list of ambitious intentions", "A plan that stays in your head",
         "A plan without any deadline"},
        "Small, specific commitments with a date and a success criterion are far more likely to "
        "be acted on."}},
      {"Making {topic} your own", "From knowledge to practice"},
      "You transfer what you have learned to your own situation."});
  // Review and next steps.
  t.arcs.push_back(arc_text{
      {"Review and next steps in {topic}", "Bringing it all together: {topic}",
       "Your path forward with {topic}"},
      {"Summarise the key ideas of this course about {topic}",
       "Assess your progress against the goal you set at the start",
       "Choose suitable next steps for further learning",
       "Build a routine that keeps your knowledge fresh"},
      {{"Time to look back. Go through the previous lessons and write down the single most "
        "important idea from each one. This summary is more than a revision exercise: putting "
        "ideas into your own words is one of the most effective ways to anchor them in long-term "
        "memory.",
        "At the end of a course it is tempting to move on immediately. Resist that for a moment. "
        "A short, structured review of what you learned about {topic} makes the difference "
        "between knowledge that fades within weeks and knowledge you can still use months from "
        "now."},
       {"Compare where you stand now with the goal you set at the beginning. Be honest and "
        "specific: what can you do today that you could not do before? Where do you still feel "
        "unsure? Both answers are valuable, because they tell you where to focus next.",
        "Learning does not stop with the last lesson. Identify one area of {topic} you want to "
        "deepen and one practical project in which you can use it. A concrete project is the best "
        "teacher, because it confronts you with real questions instead of textbook examples."},
       {"Finally, build a small routine: a regular, short time slot in which you practise, read "
        "or reflect on {topic}. Fifteen minutes a week, kept up for months, beat a single "
        "intensive weekend. Consistency is what turns a course into lasting competence.",
        "Consider sharing what you learned with someone else, by explaining it to a colleague or "
        "writing a short summary. Teaching is a powerful way to learn, and it often opens "
        "conversations that lead to new ideas and opportunities."}},
      {{"What makes a review at the end of a course on {topic} effective?",
        "Writing down the key idea of each lesson in your own words",
        {"Skimming all lessons again in one go", "Skipping it and moving on immediately",
         "Memorising the lesson titles"},
        "Putting ideas into your own words anchors them in long-term memory far better than "
        "passive re-reading."},
       {"Which routine best keeps your knowledge of {topic} fresh?",
        "A short, regular time slot kept up over months",
        {"One intensive weekend per year", "Waiting until you urgently need it",
         "Taking the same course again immediately"},
        "Consistency beats intensity: short, regular practice keeps knowledge available."}},
      {"Consolidation and outlook", "Wrapping up {topic}"},
      "You consolidate your knowledge and plan your next steps."});

  t.intros = {
      "Welcome to lesson {n}, \u201c{lesson}\u201d. This lesson is part of a course on {topic} "
      "written for "
      "{audience}. It builds on what you already know and adds the next piece of the picture.",
      "In this lesson, \u201c{lesson}\u201d, we take the next step in our course on {topic}. Read "
      "at your own pace, pause whenever a thought occurs to you and note down questions as they "
      "arise.",
      "Lesson {n}, \u201c{lesson}\u201d, focuses on an aspect of {topic} that makes a big "
      "difference in practice. Set aside about {minutes} minutes and keep a notebook at hand."};
  t.deepening_intros = {
      "This lesson returns to a theme from earlier in the course and goes deeper. You already "
      "know the basics; now the aim is to use them with more confidence and in more varied "
      "situations.",
      "We revisit a familiar theme here, this time with more experience behind you. Pay "
      "attention to what you notice now that you missed the first time: that difference is your "
      "progress."};
  t.deepening_title = "{title}: going deeper";
  t.part_title = "{title} (part {n})";
  t.brief =
      "The course brief sets the focus: \u201c{description}\u201d Keep it in mind as you "
      "work through the lessons.";
  t.audience_notes = {
      "Because this course is written for {audience}, the examples are chosen to match "
      "situations you are likely to meet. If an example does not fit your situation exactly, "
      "take a moment to translate it: what would the equivalent look like in your own work or "
      "life?",
      "This course is aimed at {audience}. Whatever your starting point, try to connect each idea "
      "to a concrete situation you know; that is what makes the difference between reading about "
      "{topic} and actually learning it.",
      "Learners from different backgrounds come to {topic} with different questions. If you are "
      "among {audience}, ask yourself after each paragraph: where would I use this, and what "
      "would I have to adapt?"};
  t.closings = {
      "In the next lesson, \u201c{next}\u201d, we build directly on this. Before you continue, "
      "take five minutes to note the one idea from this lesson you most want to keep.",
      "Next up is \u201c{next}\u201d. Give yourself a short break first: a little distance helps "
      "new ideas settle.",
      "Keep your notes from this lesson close, because \u201c{next}\u201d picks up exactly where "
      "we stop here."};
  t.final_closings = {
      "This was the last lesson of the course. Take a moment to appreciate how far you have come, "
      "then choose the first small step you will take with {topic} this week.",
      "With this lesson the course is complete. Keep your notes close: they are now your personal "
      "handbook for {topic}."};
  t.module_lessons = "In this module: {lessons}.";
  t.and_word = "and";
  t.open_quote = "\u201c";
  t.close_quote = "\u201d";
  t.fallback_audience = "interested learners";
  t.fallback_topic = "this topic";
  t.headlines = {"Learn {topic} step by step", "{topic}: a practical course for {audience}",
                 "Master the essentials of {topic}"};
  t.value_propositions = {
      "{count} take you from the foundations of {topic} to confident practice. Each lesson "
      "combines clear explanations with concrete exercises, and a short quiz helps you check "
      "your progress.",
      "This course explains {topic} in plain language and is written for {audience}. You "
      "learn what matters, practise it on real tasks and finish with a clear plan for your next "
      "steps."};
  t.one_lesson = "one focused lesson";
  t.many_lessons = "{n} focused lessons";
  t.for_whom = {"{a} who want a structured introduction to {topic}",
                "{a} looking for practical guidance on {topic}"};
  t.not_for_whom = {"Experts looking for advanced research on {topic}",
                    "Anyone hoping for a quick fix without practising",
                    "People who need a formal certificate",
                    "Readers who prefer pure theory without exercises"};
  return t;
}

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

} // namespace

const language_text* find_language(const std::string& code) {
  static const language_text english = make_english();
  static const language_text german = make_german();
  if (code == "en")
    return &english;
  if (code == "de")
    return &german;
  return nullptr;
}

} // namespace cf::gen_text
