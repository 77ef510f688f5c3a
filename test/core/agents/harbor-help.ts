/** A small help centre of our own for the knowledge and runtime tests: each section answers one kind of question. */
export const HELP = `# Harbor Bikes help

## Opening hours
Our Zurich shop is open Monday to Friday from 9am to 6pm, and on Saturday from 10am to 4pm.
We are closed on Sundays and public holidays.

## Returns and refunds
You can return a bike within 30 days of purchase if it has not been ridden outdoors.
Refunds are paid to the original card within 5 business days after we receive the bike.

## Servicing
A basic service costs CHF 89 and takes two working days. Book it in the shop or by phone.
`;

export const WARRANTY = `Frames carry a lifetime warranty against manufacturing defects.
Components such as gears and brakes are covered for two years.`;
