import fs from 'node:fs'; import YAML from 'yaml';
const [a,b]=process.argv.slice(2).map(f=>YAML.parse(fs.readFileSync(f,'utf8')));
const ops=d=>{const r={};for(const[p,v]of Object.entries(d.paths||{}))for(const m of Object.keys(v))if(['get','post','patch','delete','put'].includes(m))r[`${m.toUpperCase()} ${p}`]=v[m].operationId;return r};
const oa=ops(a),ob=ops(b);
console.log('paths only billie:',Object.keys(oa).filter(k=>!(k in ob)).map(k=>k+' '+oa[k]));
console.log('paths only grace:',Object.keys(ob).filter(k=>!(k in oa)).map(k=>k+' '+ob[k]));
const sa=a.components.schemas, sb=b.components.schemas;
console.log('schemas only billie:',Object.keys(sa).filter(k=>!(k in sb)).join(', '));
console.log('schemas only grace:',Object.keys(sb).filter(k=>!(k in sa)).join(', '));
const props=s=>{let p={...(s.properties||{})},req=[...(s.required||[])];for(const x of s.allOf||[]){if(x.properties)Object.assign(p,x.properties);if(x.required)req.push(...x.required);if(x.$ref)p['$ref:'+x.$ref]=1}return{p:Object.keys(p).sort(),req:req.sort(),en:s.enum}};
for(const k of Object.keys(sa).filter(k=>k in sb)){const x=props(sa[k]),y=props(sb[k]);const d=[];
 const pa=x.p.filter(q=>!y.p.includes(q)),pb=y.p.filter(q=>!x.p.includes(q));if(pa.length)d.push('-props '+pa);if(pb.length)d.push('+props '+pb);
 const ra=x.req.filter(q=>!y.req.includes(q)),rb=y.req.filter(q=>!x.req.includes(q));if(ra.length)d.push('-req '+ra);if(rb.length)d.push('+req '+rb);
 if(JSON.stringify(x.en)!==JSON.stringify(y.en))d.push('enum '+JSON.stringify(x.en)+' -> '+JSON.stringify(y.en));
 if(d.length)console.log(k+': '+d.join(' | '));}
