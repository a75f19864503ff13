"""A bare Flask app: the serving benchmark's baseline.

One endpoint, `POST /v1/verifications`, that reads the JSON body and answers 201 with a
verification record as the real API returned it (MOCK-IOP-DUAL, 5826 bytes with its
newline): the same response size, none of the work (no key check, no payer, no database, no
encryption, no audit). bench/serving.py runs it under the same gunicorn settings as the service:

    .venv/bin/python -m gunicorn --workers 2 bench.bare_app:app
"""

from __future__ import annotations

from flask import Flask, Response, request

# One record body from `POST /v1/verifications` (mock payer, invented member), verbatim.
RECORD_JSON = (
    '{"completed_at":"2026-11-27T04:04:06.909378+00:00","created_at":"2026-11-27T04:04:06'
    '.858389+00:00","determination":{"behavioral_health_administrator":null,"deductible":'
    '{"in_network":{"family":{"remaining":"2100.00","total":"3000.00"},"individual":{"rem'
    'aining":"900.00","total":"1500.00"}},"out_of_network":{"family":null,"individual":{"'
    'remaining":"3000.00","total":"3000.00"}}},"dual_diagnosis":{"covered":true,"explanat'
    'ion":"The plan covers intensive outpatient treatment for both mental health and subs'
    'tance use, so a program treating both together (dual diagnosis) is covered."},"level'
    's_of_care":{"iop_mental_health":{"basis":"service_type","confirmed_by_phone":{},"cov'
    'ered":true,"evidence":["EB*1**MH^A8^CH^AI^CJ*PR","EB*B*IND*CH^CJ*PR**7*40****Y*Y","E'
    'B*A*IND*CH^CJ*PR**27**.4***Y*N","EB*F*IND*CH^CJ***23***VS*30"],"in_network":{"coinsu'
    'rance":null,"copay":"40.00","copay_unit":"day","covered":true},"limits":[{"period":"'
    'calendar_year","quantity":"30","unit":"visits"}],"notes":["PRIOR AUTHORIZATION REQUI'
    'RED FOR INTENSIVE OUTPATIENT"],"out_of_network":{"coinsurance":"0.4","copay":null,"c'
    'opay_unit":null,"covered":true},"prior_auth_required":true,"source":{"covered":"elec'
    'tronic","prior_auth_required":"electronic"}},"iop_substance_use":{"basis":"service_t'
    'ype","confirmed_by_phone":{},"covered":true,"evidence":["EB*1**MH^A8^CH^AI^CJ*PR","E'
    'B*B*IND*CH^CJ*PR**7*40****Y*Y","EB*A*IND*CH^CJ*PR**27**.4***Y*N","EB*F*IND*CH^CJ***2'
    '3***VS*30"],"in_network":{"coinsurance":null,"copay":"40.00","copay_unit":"day","cov'
    'ered":true},"limits":[{"period":"calendar_year","quantity":"30","unit":"visits"}],"n'
    'otes":["PRIOR AUTHORIZATION REQUIRED FOR INTENSIVE OUTPATIENT"],"out_of_network":{"c'
    'oinsurance":"0.4","copay":null,"copay_unit":null,"covered":true},"prior_auth_require'
    'd":true,"source":{"covered":"electronic","prior_auth_required":"electronic"}},"php_m'
    'ental_health":{"basis":"plan","confirmed_by_phone":{},"covered":null,"evidence":[],"'
    'in_network":null,"limits":[],"notes":[],"out_of_network":null,"prior_auth_required":'
    'null,"source":{"covered":"electronic","prior_auth_required":"electronic"}},"php_subs'
    'tance_use":{"basis":"plan","confirmed_by_phone":{},"covered":null,"evidence":[],"in_'
    'network":null,"limits":[],"notes":[],"out_of_network":null,"prior_auth_required":nul'
    'l,"source":{"covered":"electronic","prior_auth_required":"electronic"}}},"member":{"'
    'date_of_birth":"1985-03-15","first_name":"JANE","last_name":"DOE","member_id":"MOCK-'
    'IOP-DUAL","relationship":"subscriber"},"out_of_pocket":{"in_network":{"family":null,'
    '"individual":{"remaining":"5100.00","total":"6000.00"}},"out_of_network":{"family":n'
    'ull,"individual":{"remaining":"12000.00","total":"12000.00"}}},"payer":{"id":"ACME1"'
    ',"name":"ACME HEALTH PLAN"},"plan":{"coverage_begin":"2026-01-01","coverage_end":"20'
    '26-12-31","group_number":"GRP1001","insurance_type":"Preferred Provider Organization'
    ' (PPO)","name":"ACME PPO 1500"},"rejection":null,"status":"active","summary":"JANE D'
    "OE's coverage with ACME HEALTH PLAN (ACME PPO 1500) is active.\\nIntensive outpatient"
    " (IOP):\\n- Mental health: covered; $40 copay per day in network; 40% coinsurance out"
    " of network. Prior authorization is required. Limit: 30 visits per calendar year.\\n-"
    " Substance use: covered; $40 copay per day in network; 40% coinsurance out of networ"
    "k. Prior authorization is required. Limit: 30 visits per calendar year.\\n- Both toge"
    "ther (dual diagnosis): The plan covers intensive outpatient treatment for both menta"
    "l health and substance use, so a program treating both together (dual diagnosis) is "
    "covered.\\nPartial hospitalization (PHP):\\n- Mental health: not stated by the insurer"
    "; confirm by phone.\\n- Substance use: not stated by the insurer; confirm by phone.\\n"
    "Deductible in network: individual $900 left of $1,500; family $2,100 left of $3,000."
    "\\nDeductible out of network: individual $3,000 left of $3,000.\\nOut-of-pocket maximu"
    "m in network: individual $5,100 left of $6,000.\\nOut-of-pocket maximum out of networ"
    "k: individual $12,000 left of $12,000.\\nFor prior authorization, call ACME BEHAVIORA"
    "L UM at (800) 555-0101.\\nBenefits quoted are what the insurer reported electronicall"
    "y; they are not a guarantee of payment, which depends on eligibility on the date of "
    'service, medical necessity and the plan\'s terms."},"error":null,"id":"a5d299d6dd9d4c'
    'f1b0e8373cb03a9a00","payer_id":"MOCK","phone_facts":[],"request":{"payer_id":"MOCK",'
    '"subscriber":{"date_of_birth":"1985-03-15","first_name":"Jane","last_name":"Doe","me'
    'mber_id":"MOCK-IOP-DUAL"}},"state":"complete","summary":"JANE DOE\'s coverage with AC'
    "ME HEALTH PLAN (ACME PPO 1500) is active.\\nIntensive outpatient (IOP):\\n- Mental hea"
    "lth: covered; $40 copay per day in network; 40% coinsurance out of network. Prior au"
    "thorization is required. Limit: 30 visits per calendar year.\\n- Substance use: cover"
    "ed; $40 copay per day in network; 40% coinsurance out of network. Prior authorizatio"
    "n is required. Limit: 30 visits per calendar year.\\n- Both together (dual diagnosis)"
    ": The plan covers intensive outpatient treatment for both mental health and substanc"
    "e use, so a program treating both together (dual diagnosis) is covered.\\nPartial hos"
    "pitalization (PHP):\\n- Mental health: not stated by the insurer; confirm by phone.\\n"
    "- Substance use: not stated by the insurer; confirm by phone.\\nDeductible in network"
    ": individual $900 left of $1,500; family $2,100 left of $3,000.\\nDeductible out of n"
    "etwork: individual $3,000 left of $3,000.\\nOut-of-pocket maximum in network: individ"
    "ual $5,100 left of $6,000.\\nOut-of-pocket maximum out of network: individual $12,000"
    " left of $12,000.\\nFor prior authorization, call ACME BEHAVIORAL UM at (800) 555-010"
    "1.\\nBenefits quoted are what the insurer reported electronically; they are not a gua"
    "rantee of payment, which depends on eligibility on the date of service, medical nece"
    "ssity and the plan's terms.\"}"
) + "\n"

app = Flask(__name__)


@app.post("/v1/verifications")
def verify() -> Response:
    request.get_json(force=True, silent=True)
    return Response(RECORD_JSON, status=201, mimetype="application/json")


@app.get("/healthz")
def healthz() -> Response:
    return Response('{"status": "ok"}\n', mimetype="application/json")
