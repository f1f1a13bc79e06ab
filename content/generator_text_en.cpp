// The English phrase tables of the built-in generator (data; see generator_text.hpp).
#include "content/generator_text.hpp"

namespace cf::gen_text {

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

} // namespace cf::gen_text
