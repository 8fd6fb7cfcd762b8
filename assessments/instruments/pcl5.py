"""PTSD Checklist for DSM-5 (PCL-5).

Sources:
- Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP. The PTSD Checklist for
  DSM-5 (PCL-5). 2013. Scale available from the National Center for PTSD, www.ptsd.va.gov.
- Bovin MJ, Marx BP, Weathers FW, Gallagher MW, Rodriguez P, Schnurr PP, Keane TM.
  Psychometric properties of the PTSD Checklist for Diagnostic and Statistical Manual of
  Mental Disorders-Fifth Edition (PCL-5) in veterans. Psychol Assess. 2016;28(11):1379-1391.
  Provisional PTSD at a total of 31-33; 31 here, a program may choose up to 33 with
  ``PCL5.with_cutoff(33)``.
DSM-5 cluster subtotals: B items 1-5, C items 6-7, D items 8-14, E items 15-20.
"""

from .base import InstrumentDefinition, items, rated

PCL5 = InstrumentDefinition(
    code="pcl5",
    name="PCL-5",
    full_name="PTSD Checklist for DSM-5",
    source="Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP (2013). The PTSD "
    "Checklist for DSM-5 (PCL-5). National Center for PTSD. Cut-off 31-33: Bovin MJ et al. "
    "(2016), Psychol Assess 28(11):1379-1391.",
    instructions="Below is a list of problems that people sometimes have in response to a very "
    "stressful experience. Please read each problem carefully and then circle one of the "
    "numbers to the right to indicate how much you have been bothered by that problem in the "
    "past month. In the past month, how much were you bothered by:",
    items=items(
        [
            "Repeated, disturbing, and unwanted memories of the stressful experience?",
            "Repeated, disturbing dreams of the stressful experience?",
            "Suddenly feeling or acting as if the stressful experience were actually happening "
            "again (as if you were actually back there reliving it)?",
            "Feeling very upset when something reminded you of the stressful experience?",
            "Having strong physical reactions when something reminded you of the stressful "
            "experience (for example, heart pounding, trouble breathing, sweating)?",
            "Avoiding memories, thoughts, or feelings related to the stressful experience?",
            "Avoiding external reminders of the stressful experience (for example, people, "
            "places, conversations, activities, objects, or situations)?",
            "Trouble remembering important parts of the stressful experience?",
            "Having strong negative beliefs about yourself, other people, or the world (for "
            "example, having thoughts such as: I am bad, there is something seriously wrong "
            "with me, no one can be trusted, the world is completely dangerous)?",
            "Blaming yourself or someone else for the stressful experience or what happened "
            "after it?",
            "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
            "Loss of interest in activities that you used to enjoy?",
            "Feeling distant or cut off from other people?",
            "Trouble experiencing positive feelings (for example, being unable to feel "
            "happiness or have loving feelings for people close to you)?",
            "Irritable behavior, angry outbursts, or acting aggressively?",
            "Taking too many risks or doing things that could cause you harm?",
            "Being \u201csuperalert\u201d or watchful or on guard?",
            "Feeling jumpy or easily startled?",
            "Having difficulty concentrating?",
            "Trouble falling or staying asleep?",
        ],
        rated("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"),
    ),
    cutoff=31,
    cutoff_range=(31, 33),
    screen_labels=("provisional ptsd", "below cut-off"),
    subscales={
        "B": (1, 2, 3, 4, 5),
        "C": (6, 7),
        "D": (8, 9, 10, 11, 12, 13, 14),
        "E": (15, 16, 17, 18, 19, 20),
    },
)
"""PCL-5 (Weathers et al. 2013, National Center for PTSD): twenty items 0-4, total 0-80;
provisional PTSD at >= 31 (configurable 31-33, Bovin et al. 2016); cluster subtotals B, C,
D, E."""
